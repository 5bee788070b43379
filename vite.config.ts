import { readFileSync } from 'node:fs';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import {
  buildEmbedOrigins,
  buildModelHosts,
  contentSecurityPolicy,
  LOADER_HEADERS,
  widgetHeaders,
} from './scripts/content-security-policy.ts';
import { EMBED_LOADER_FILE, embedLoaderPlugin } from './scripts/embed-loader-plugin.ts';
import { embedPreviewPlugin, WIDGET_PAGE_FILE } from './scripts/embed-preview-plugin.ts';
import { mlcCatalogPlugin } from './scripts/mlc-catalog-plugin.ts';
import {
  SERVICE_WORKER_REQUEST_LOG,
  serviceWorkerRequestLogPlugin,
} from './scripts/service-worker-request-log.ts';

const modelHosts = buildModelHosts();
const embedOrigins = buildEmbedOrigins();
const appVersion = (
  JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/**
 * Cross-origin isolation lets llama.cpp use SharedArrayBuffer threads. Model hosts are fetched
 * with CORS, which `require-corp` allows.
 */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** The headers production needs: isolation plus the full Content-Security-Policy. */
const productionHeaders = {
  ...isolation,
  'Content-Security-Policy': contentSecurityPolicy(modelHosts),
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};

/**
 * The production build carries its policy in two forms: a meta tag in index.html (works on any
 * static host) and a `_headers` file (Netlify, Cloudflare Pages) with the header-only parts.
 * The dev server gets neither: React's hot reload needs inline scripts.
 */
function productionPolicy(): Plugin {
  return {
    name: 'production-policy',
    apply: 'build',
    transformIndexHtml: (html) =>
      html.replace(
        '<meta charset="UTF-8" />',
        `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(modelHosts, true)}" />`,
      ),
    generateBundle() {
      // Rules that match one path are combined, so the pages' frame-ancestors come as policies
      // of their own: the app's pages `'self'`, the widget page the sites allowed to embed it.
      const common = Object.fromEntries(
        Object.entries(productionHeaders).filter(([name]) => name !== 'Content-Security-Policy'),
      );
      const widget = widgetHeaders({}, modelHosts, embedOrigins);
      const rules: [string, Record<string, string>][] = [
        ['/*', { ...common, 'Content-Security-Policy': contentSecurityPolicy(modelHosts, true) }],
        ['/', { 'Content-Security-Policy': "frame-ancestors 'self'" }],
        ['/index.html', { 'Content-Security-Policy': "frame-ancestors 'self'" }],
        [
          `/${WIDGET_PAGE_FILE}`,
          {
            ...widget,
            'Content-Security-Policy': `frame-ancestors ${["'self'", ...embedOrigins].join(' ')}`,
          },
        ],
        [`/${EMBED_LOADER_FILE}`, { ...LOADER_HEADERS }],
      ];
      const source = rules
        .map(([path, headers]) =>
          [path, ...Object.entries(headers).map(([k, v]) => `  ${k}: ${v}`)].join('\n'),
        )
        .join('\n');
      this.emitFile({ type: 'asset', fileName: '_headers', source: `${source}\n` });
    },
  };
}

export default defineConfig({
  plugins: [
    react(),
    mlcCatalogPlugin(),
    productionPolicy(),
    embedLoaderPlugin(),
    embedPreviewPlugin({
      widget: widgetHeaders(productionHeaders, modelHosts, embedOrigins),
      loader: LOADER_HEADERS,
    }),
    serviceWorkerRequestLogPlugin(),
    VitePWA({
      // The user decides when a new version takes over; old and new files never mix in one tab.
      registerType: 'prompt',
      injectRegister: null,
      // The glob below already takes the icons; the plugin adds the manifest itself.
      includeManifestIcons: false,
      manifest: {
        name: 'Tab LLM · private AI in your browser',
        short_name: 'Tab LLM',
        description: 'A private LLM that runs entirely in your browser tab.',
        theme_color: '#1f3a5f',
        background_color: '#111418',
        display: 'standalone',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          {
            src: 'icon-maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
      },
      workbox: {
        // Every file of the app, the engines' wasm and worker bundles included, so it opens
        // and runs with no network. Model files are not here: they live in IndexedDB.
        globPatterns: ['**/*.{html,js,css,wasm,svg,png}'],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
        // The service worker's own requests, for the privacy panel (src/service-worker/).
        importScripts: [SERVICE_WORKER_REQUEST_LOG],
      },
    }),
  ],
  define: {
    __TAB_LLM_MODEL_HOSTS__: JSON.stringify(modelHosts),
    __TAB_LLM_EMBED_ORIGINS__: JSON.stringify(embedOrigins),
    __TAB_LLM_VERSION__: JSON.stringify(appVersion),
  },
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: productionHeaders },
  build: {
    target: 'es2023',
    // wllama and web-llm are large by nature; they load lazily inside the worker.
    chunkSizeWarningLimit: 8000,
    // The app and the embeddable widget page: two pages sharing the engine's chunks.
    rolldownOptions: { input: { app: 'index.html', widget: WIDGET_PAGE_FILE } },
  },
});
