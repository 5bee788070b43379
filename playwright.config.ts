import { defineConfig } from '@playwright/test';
import { E2E_EMBED_ORIGINS, E2E_MODEL_HOSTS } from './e2e/support/e2e-build.ts';
import { stockChromiumLaunch, webgpuF16Launch } from './scripts/browser-launch.ts';

// E2E_PORT lets two checkouts on one machine run their suites side by side.
const PORT = Number(process.env.E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  // The WebGPU adapter here is a CPU (lavapipe); parallel browsers would only fight for 2 cores.
  workers: 1,
  // No retries: a test that fails once is a failure to find, not to hide.
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'webgpu-f16',
      testIgnore: /fallback-.*\.spec\.ts/,
      use: { launchOptions: webgpuF16Launch() },
    },
    {
      name: 'webgpu-no-f16',
      testMatch: /fallback-no-f16\.spec\.ts/,
      use: { launchOptions: stockChromiumLaunch({ webgpu: true }) },
    },
    {
      name: 'no-webgpu',
      testMatch: /fallback-no-webgpu\.spec\.ts/,
      use: { launchOptions: stockChromiumLaunch({ webgpu: false }) },
    },
  ],
  // The production build, as users get it.
  webServer: {
    command: `npx vite build && npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}`,
    // The tests' model server runs on a random local port; this build may download from it, and
    // the tests' host pages (on localhost) may embed its widget.
    env: { TAB_LLM_MODEL_HOSTS: E2E_MODEL_HOSTS, TAB_LLM_EMBED_ORIGINS: E2E_EMBED_ORIGINS },
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
  },
});
