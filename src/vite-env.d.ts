/// <reference types="vite-plugin-pwa/react" />
/// <reference types="vite/client" />

declare module 'virtual:mlc-catalog' {
  import type { ModelRecord } from '@mlc-ai/web-llm';
  /** web-llm's prebuilt chat models, read at build time (see scripts/mlc-catalog-plugin.ts). */
  export const mlcModelRecords: ModelRecord[];
}

/** The model hosts this build allows (see src/lib/model-hosts.ts), set by vite.config.ts. */
declare const __TAB_LLM_MODEL_HOSTS__: readonly string[];

/**
 * The sites allowed to embed the widget page besides the app's own origin (CSP host-sources, from
 * TAB_LLM_EMBED_ORIGINS at build time), set by vite.config.ts.
 */
declare const __TAB_LLM_EMBED_ORIGINS__: readonly string[];

/** The app's version (package.json), for saved comparisons. */
declare const __TAB_LLM_VERSION__: string;
