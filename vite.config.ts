import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { mlcCatalogPlugin } from './scripts/mlc-catalog-plugin.ts';

/**
 * Cross-origin isolation lets llama.cpp use SharedArrayBuffer threads. Model hosts are fetched
 * with CORS, which `require-corp` allows.
 */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react(), mlcCatalogPlugin()],
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
  build: {
    target: 'es2023',
    // wllama and web-llm are large by nature; they load lazily inside the worker.
    chunkSizeWarningLimit: 8000,
  },
});
