import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'vite';

/** Where host pages load the loader from, at the root of the app's origin. */
export const EMBED_LOADER_FILE = 'embed.js';
/** The loader's budget, gzipped: a site adds it to every page. */
export const EMBED_LOADER_MAX_GZIP_BYTES = 5 * 1024;

const entry = new URL('../src/embed/loader.ts', import.meta.url).pathname;

/**
 * The loader bundled on its own, as a classic script (an IIFE): a classic script knows its own
 * URL (`document.currentScript`), from which it finds the widget page, and a host page needs no
 * `type="module"` (and no CORS) to load it. Minified, and refused when over its gzip budget.
 */
export async function bundleEmbedLoader(): Promise<{ code: string; gzipBytes: number }> {
  const output = await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      target: 'es2022',
      minify: true,
      lib: { entry, formats: ['iife'], name: 'TabLLMLoader', fileName: () => EMBED_LOADER_FILE },
    },
  });
  const outputs = Array.isArray(output) ? output : [output];
  const chunk = outputs
    .flatMap((o) => ('output' in o ? o.output : []))
    .find((file) => file.type === 'chunk');
  if (chunk?.type !== 'chunk') throw new Error('the embed loader did not bundle');
  return { code: chunk.code, gzipBytes: gzipSync(chunk.code).length };
}

/**
 * Emits `embed.js` into the build (and serves it in development). The Workbox precache picks it
 * up with the other scripts.
 */
export function embedLoaderPlugin(): Plugin {
  return {
    name: 'embed-loader',
    async generateBundle() {
      const { code, gzipBytes } = await bundleEmbedLoader();
      if (gzipBytes > EMBED_LOADER_MAX_GZIP_BYTES) {
        this.error(
          `${EMBED_LOADER_FILE} is ${gzipBytes} bytes gzipped, over its budget of ${EMBED_LOADER_MAX_GZIP_BYTES}`,
        );
      }
      this.emitFile({ type: 'asset', fileName: EMBED_LOADER_FILE, source: code });
    },
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        if (request.url?.split('?')[0] !== `/${EMBED_LOADER_FILE}`) {
          next();
          return;
        }
        bundleEmbedLoader().then(
          ({ code }) => {
            response.setHeader('Content-Type', 'text/javascript');
            response.setHeader('Access-Control-Allow-Origin', '*');
            response.end(code);
          },
          (cause: unknown) => next(cause),
        );
      });
    },
  };
}
