import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Cross-origin isolated like the app (vite.config.ts), so llama.cpp gets the same threads. */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** The benchmark's bare page (raw-engine/), built into its own folder, apart from the app. */
export default defineConfig({
  root: fileURLToPath(new URL('./raw-engine', import.meta.url)),
  preview: { headers: isolation },
  server: { headers: isolation },
  build: {
    target: 'es2023',
    outDir: fileURLToPath(new URL('../../dist-bench', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 8000,
  },
});
