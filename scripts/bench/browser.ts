/**
 * The bench's browsers: which Chromium, and browser contexts that belong to one figure (they close
 * when the figure's time runs out, which ends every wait inside them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GpuReport } from '../../src/shared/engine-protocol.ts';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type LaunchOptions,
  type Page,
} from '@playwright/test';
import { webgpuF16Launch } from '../browser-launch.ts';
import { STEP_MS } from './config.ts';

const env = process.env;
const QUIET = ['--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * The lavapipe WebGPU Chromium of this workplace, or, with BENCH_BROWSER, any Chrome/Chromium
 * (e.g. one that sees a real GPU) with WebGPU enabled and BENCH_BROWSER_ARGS added.
 */
export function launchOptions(): LaunchOptions {
  const extra = (env.BENCH_BROWSER_ARGS ?? '').split(' ').filter(Boolean);
  const headless = env.BENCH_HEADED !== '1';
  if (!env.BENCH_BROWSER) {
    const lavapipe = webgpuF16Launch();
    return { ...lavapipe, args: [...(lavapipe.args ?? []), ...extra], headless };
  }
  return {
    executablePath: env.BENCH_BROWSER,
    args: ['--enable-unsafe-webgpu', ...QUIET, ...extra],
    headless,
  };
}

/**
 * Bounds every Playwright wait in `context` (clicks, `waitFor`, navigation) by one step's time,
 * and closes it when `signal` aborts, so a figure over its limit leaves nothing running.
 */
function bind(context: BrowserContext, signal: AbortSignal): () => void {
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  const close = () => void context.close().catch(() => undefined);
  signal.addEventListener('abort', close, { once: true });
  return () => signal.removeEventListener('abort', close);
}

/** A new context in the shared browser for one figure's work; closed afterwards or on abort. */
export async function withContext<T>(
  browser: Browser,
  signal: AbortSignal,
  work: (context: BrowserContext) => Promise<T>,
): Promise<T> {
  signal.throwIfAborted();
  const context = await browser.newContext();
  const unbind = bind(context, signal);
  try {
    return await work(context);
  } finally {
    unbind();
    await context.close();
  }
}

/** A browser profile of its own on disk (IndexedDB as users have it), removed afterwards. */
export async function withFreshProfile<T>(
  signal: AbortSignal,
  work: (page: Page) => Promise<T>,
  extraArgs: string[] = [],
): Promise<T> {
  signal.throwIfAborted();
  const dir = mkdtempSync(join(tmpdir(), 'tab-llm-bench-'));
  const options = launchOptions();
  const context = await chromium.launchPersistentContext(dir, {
    ...options,
    args: [...(options.args ?? []), ...extraArgs],
  });
  const unbind = bind(context, signal);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    return await work(page);
  } finally {
    unbind();
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Machine {
  browser: string;
  executable: string;
  webgpuAdapter: Pick<
    Extract<GpuReport, { status: 'available' }>,
    'vendor' | 'architecture' | 'device' | 'description' | 'shaderF16' | 'maxBufferSize'
  > | null;
  cpuCount: number;
  cpuModel: string;
  hardwareConcurrency: number;
  node: string;
}

/** What the results were measured on: browser, WebGPU adapter, CPUs. */
export async function environment(browser: Browser, rawOrigin: string): Promise<Machine> {
  const page = await browser.newPage();
  page.setDefaultTimeout(STEP_MS);
  try {
    await page.goto(rawOrigin);
    const gpu = await page.evaluate(async () => {
      // Absent where the browser has no WebGPU, whatever the DOM types say.
      const adapter = await (navigator as Partial<Navigator>).gpu?.requestAdapter();
      if (!adapter) return null;
      const { vendor, architecture, device, description } = adapter.info;
      return {
        vendor,
        architecture,
        device,
        description,
        shaderF16: adapter.features.has('shader-f16'),
        maxBufferSize: adapter.limits.maxBufferSize,
      };
    });
    return {
      browser: browser.version(),
      executable: launchOptions().executablePath ?? 'playwright default',
      webgpuAdapter: gpu,
      cpuCount: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      hardwareConcurrency: await page.evaluate(() => navigator.hardwareConcurrency),
      node: process.version,
    };
  } finally {
    await page.close();
  }
}

/** Whether the WebGPU adapter is a CPU rasteriser (lavapipe, SwiftShader), as it is here. */
export const onCpuAdapter = (machine: Machine) =>
  /swiftshader|lavapipe|llvmpipe/i.test(JSON.stringify(machine.webgpuAdapter));
