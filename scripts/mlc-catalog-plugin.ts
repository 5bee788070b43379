import type { Plugin } from 'vite';

const ID = 'virtual:mlc-catalog';
const RESOLVED = `\0${ID}`;

/**
 * Exposes web-llm's `prebuiltAppConfig.model_list` (chat models only) to the UI as data, read at
 * build time, so the main-thread bundle carries the catalog without web-llm's megabytes of code.
 */
export function mlcCatalogPlugin(): Plugin {
  return {
    name: 'mlc-catalog',
    resolveId: (id) => (id === ID ? RESOLVED : undefined),
    async load(id) {
      if (id !== RESOLVED) return undefined;
      const { prebuiltAppConfig, ModelType } = await import('@mlc-ai/web-llm');
      const chatModels = prebuiltAppConfig.model_list.filter(
        (record) => (record.model_type ?? ModelType.LLM) === ModelType.LLM,
      );
      return `export const mlcModelRecords = ${JSON.stringify(chatModels)};`;
    },
  };
}
