import { fileURLToPath } from 'node:url';
import { build, type Plugin, type Rolldown } from 'vite';

/** Where the bundle lands in the build, and what the generated service worker imports. */
export const SERVICE_WORKER_REQUEST_LOG = 'sw-request-log.js';
const ENTRY = fileURLToPath(new URL('../src/service-worker/request-log.ts', import.meta.url));

/**
 * Bundles src/service-worker/request-log.ts into one classic script (`importScripts` takes no
 * modules) beside the service worker that vite-plugin-pwa generates, which imports it
 * (`workbox.importScripts` in vite.config.ts).
 */
export function serviceWorkerRequestLogPlugin(): Plugin {
  return {
    name: 'service-worker-request-log',
    apply: 'build',
    async generateBundle() {
      const result = (await build({
        configFile: false,
        logLevel: 'warn',
        build: {
          write: false,
          target: 'es2023',
          lib: { entry: ENTRY, formats: ['iife'], name: 'tabLlmRequestLog' },
        },
      })) as Rolldown.RolldownOutput | Rolldown.RolldownOutput[];
      const [output] = Array.isArray(result) ? result : [result];
      const chunk = output?.output.find((item) => item.type === 'chunk');
      if (!chunk) throw new Error('the service worker request log did not bundle');
      this.emitFile({ type: 'asset', fileName: SERVICE_WORKER_REQUEST_LOG, source: chunk.code });
    },
  };
}
