/**
 * `npm run bench`: measures the app against the raw engine, side by side in one run (issue 5).
 * Builds the app and the raw-engine page, serves both and the models locally, drives Chromium,
 * prints a table and writes JSON to bench-results/. See README, "Benchmark".
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type LaunchOptions, type Page } from '@playwright/test';
import { build, preview, type PreviewServer } from 'vite';
import { startModelServer } from '../../e2e/support/model-server.ts';
import { webgpuF16Launch } from '../browser-launch.ts';
import { sharedModelsDir } from '../shared-dir.ts';
import {
  chooseBackend,
  loadByUrlTimed,
  loadFromRepoTimed,
  loadStoredTimed,
  openApp,
  sendTimed,
  setGreedyCompletion,
  waitUntilLoaded,
} from './app-driver.ts';
import {
  instrumentMainThread,
  longTasksBetween,
  streamingCost,
  TRACE_CATEGORIES,
  type StreamingCost,
} from './main-thread.ts';
import type { GenerationTiming, RawEngine, StoreSink } from './raw-engine/raw-engine-api.ts';
import { FAKE_REPO, startFakeHuggingFace } from './fake-hugging-face.ts';
import { figureTable, formatSummary, verdict, type Figure } from './report.ts';
import { pairedRatio, summarize } from './stats.ts';
import { ensureSyntheticGguf, syntheticFileName, type SyntheticModel } from './synthetic-gguf.ts';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const env = process.env;
const RUNS = Number(env.BENCH_RUNS ?? 5);
/** BENCH_ONLY=2,4 measures only those figures (the others print as n/a). */
const ONLY = env.BENCH_ONLY?.split(',').map((n) => n.trim());
/** Figure 4 streams two long answers per run, so it gets fewer runs. */
const SMOOTHNESS_RUNS = Number(env.BENCH_SMOOTHNESS_RUNS ?? 3);
const APP_PORT = Number(env.BENCH_PORT ?? 4271);
const RAW_PORT = APP_PORT + 1;
/** Tokens per answer for figure 1, per backend: enough to time, few enough for a CPU "GPU". */
const OVERHEAD_TOKENS = { auto: Number(env.BENCH_GPU_TOKENS ?? 32), cpu: 128 };
const LONG_ANSWER_TOKENS = Number(env.BENCH_LONG_TOKENS ?? 1000);
/**
 * Figure 2's throttled pairs: the server held to 50 MB/s (400 Mbit/s) and 125 MB/s (1 Gbit/s,
 * the fastest common home connection), where the download should go at the network's pace.
 */
const THROTTLED_RATES = [50e6, 125e6];
const THROTTLED_RUNS = Math.min(RUNS, 3);
/** Tokens in each of the early and late windows of figure 4. */
const SMOOTHNESS_WINDOW = 200;

const MODELS = {
  /** Figures 1, 4, 5: small enough to decode a long answer within minutes on a CPU. */
  speed: { size: '25m', type: 'q4_0' },
  /** Figure 2: the issue asks for a file of at least 200 MB (this one is 224 MB). */
  download: { size: '400m', type: 'q4_0' },
  /** Figure 3: loaded 3 × 3 times. */
  start: { size: '100m', type: 'q4_0' },
} as const satisfies Record<string, SyntheticModel>;

/** Different first words, so llama.cpp cannot reuse the previous run's prompt from its KV cache. */
const PROMPTS = [
  'Alpha',
  'Bravo',
  'Charlie',
  'Delta',
  'Echo',
  'Foxtrot',
  'Golf',
  'Hotel',
  'India',
  'Juliet',
].map(
  (word) =>
    `${word}: once upon a time, in a small town by the sea, there lived an old clockmaker who ` +
    'repaired every clock in town and told each visitor a story about the stars, the tides and ' +
    'the ships that came and went while the clocks kept ticking on the walls of his shop.',
);

const log = (message: string) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

const QUIET = ['--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * The lavapipe WebGPU Chromium of this workplace, or, with BENCH_BROWSER, any Chrome/Chromium
 * (e.g. one that sees a real GPU) with WebGPU enabled and BENCH_BROWSER_ARGS added.
 */
function launchOptions(): LaunchOptions {
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

interface Servers {
  app: string;
  raw: string;
  models: Awaited<ReturnType<typeof startModelServer>>;
  modelsDir: string;
  close: () => Promise<void>;
}

async function buildAndServe(modelsDir: string): Promise<Servers> {
  log('building the app (vite build) and the raw-engine page');
  // Builds with a model-host allowlist (TAB_LLM_MODEL_HOSTS, read by vite.config.ts where it
  // exists) must let the app reach the bench's local model server, as the e2e build does.
  process.env.TAB_LLM_MODEL_HOSTS ??= 'http://127.0.0.1:*';
  await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
  const rawConfig = join(root, 'scripts/bench/vite.raw-engine.config.ts');
  await build({ configFile: rawConfig, logLevel: 'warn' });
  const serve = (configFile: string, port: number, extra: object = {}) =>
    preview({
      ...extra,
      configFile,
      logLevel: 'warn',
      preview: { host: '127.0.0.1', port, strictPort: true },
    });
  const servers: PreviewServer[] = [
    await serve(join(root, 'vite.config.ts'), APP_PORT, { root }),
    await serve(rawConfig, RAW_PORT),
  ];
  const models = await startModelServer(modelsDir);
  return {
    app: `http://127.0.0.1:${APP_PORT}`,
    raw: `http://127.0.0.1:${RAW_PORT}`,
    models,
    modelsDir,
    close: async () => {
      await models.close();
      for (const server of servers) await server.close();
    },
  };
}

const raw = (page: Page) => ({
  fetchModel: (url: string) =>
    page.evaluate(
      (u) => (window as unknown as { rawEngine: RawEngine }).rawEngine.fetchModel(u),
      url,
    ),
  load: (backend: 'auto' | 'cpu') =>
    page.evaluate(
      (b) =>
        (window as unknown as { rawEngine: RawEngine }).rawEngine.load({
          backend: b,
          contextSize: 2048,
        }),
      backend,
    ),
  generate: (prompt: string, maxTokens: number) =>
    page.evaluate((o) => (window as unknown as { rawEngine: RawEngine }).rawEngine.generate(o), {
      prompt,
      maxTokens,
    }),
  unload: () =>
    page.evaluate(() => (window as unknown as { rawEngine: RawEngine }).rawEngine.unload()),
});

interface RateRun {
  /** As seen on screen (app) or in the stream callback (raw). */
  decode: number;
  prefill: number;
  /** llama.cpp's own timings: apart from the rates above, they leave out every hop to the screen. */
  engineDecode: number;
  enginePrefill: number;
  outputTokens: number;
  promptTokens: number;
}

const rawRates = (run: GenerationTiming): RateRun => {
  const output = run.engine?.outputTokens ?? run.pieces;
  const prompt = run.engine?.promptTokens ?? Number.NaN;
  return {
    decode: (output - 1) / (run.streamMs / 1000),
    prefill: prompt / (run.firstTokenMs / 1000),
    engineDecode: run.engine ? run.engine.outputTokens / (run.engine.decodeMs / 1000) : Number.NaN,
    enginePrefill: run.engine
      ? run.engine.promptTokens / (run.engine.prefillMs / 1000)
      : Number.NaN,
    outputTokens: output,
    promptTokens: prompt,
  };
};

/** Figure 1 (and the raw half of figure 5): one backend, app and raw engine interleaved. */
async function measureOverhead(browser: Browser, servers: Servers, backend: 'auto' | 'cpu') {
  const model = syntheticFileName(MODELS.speed);
  const label = model.replace(/\.gguf$/, '');
  const url = servers.models.url(model);
  const maxTokens = OVERHEAD_TOKENS[backend];
  const context = await browser.newContext();
  try {
    const app = await context.newPage();
    await openApp(app, servers.app);
    await chooseBackend(app, backend);
    await setGreedyCompletion(app, maxTokens);
    await loadByUrlTimed(app, url, label, 'ready');
    const appRanOn = await app.getByTestId('backend').innerText();
    const rawPage = await context.newPage();
    await rawPage.goto(servers.raw);
    const engine = raw(rawPage);
    await engine.fetchModel(url);
    const rawLoad = await engine.load(backend);
    log(`figure 1 (${backend}): app runs on ${appRanOn}, raw on ${rawLoad.ranOn}; warming up`);
    // The first answer compiles WebGPU pipelines; it is not measured, on either side.
    await app.bringToFront();
    await sendTimed(app, 'Warm up.');
    await rawPage.bringToFront();
    await engine.generate('Warm up.', maxTokens);

    const appRuns: RateRun[] = [];
    const rawRuns: RateRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      const prompt = PROMPTS[i % PROMPTS.length] as string;
      const runApp = async () => {
        await app.bringToFront();
        const t = await sendTimed(app, prompt);
        appRuns.push({
          decode: (t.outputTokens - 1) / (t.streamMs / 1000),
          prefill: t.promptTokens / (t.firstTokenMs / 1000),
          engineDecode: t.panelDecodeRate,
          enginePrefill: t.panelPrefillRate,
          outputTokens: t.outputTokens,
          promptTokens: t.promptTokens,
        });
      };
      const runRaw = async () => {
        await rawPage.bringToFront();
        rawRuns.push(rawRates(await engine.generate(prompt, maxTokens)));
      };
      // Alternate who goes first, so neither side always runs on a warmer machine.
      if (i % 2 === 0) await runApp().then(runRaw);
      else await runRaw().then(runApp);
      log(
        `figure 1 (${backend}) run ${i + 1}: app ${fmt(appRuns[i]?.decode)} vs raw ${fmt(rawRuns[i]?.decode)} tok/s decode`,
      );
    }
    await engine.unload();
    return {
      appRuns,
      rawRuns,
      appRanOn,
      rawRanOn: rawLoad.ranOn,
      threads: rawLoad.threads,
      maxTokens,
    };
  } finally {
    await context.close();
  }
}

const fmt = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(2));

/** A browser profile of its own on disk (IndexedDB as users have it), removed afterwards. */
async function withFreshProfile<T>(
  work: (page: Page) => Promise<T>,
  extraArgs: string[] = [],
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'tab-llm-bench-'));
  const options = launchOptions();
  const context = await chromium.launchPersistentContext(dir, {
    ...options,
    args: [...(options.args ?? []), ...extraArgs],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    return await work(page);
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Figure 2: the app's download into IndexedDB versus a plain fetch of the same file, in the same
 * page; beside them, the bare page stores the same download with the least code that can: into
 * IndexedDB as the app does (what IndexedDB itself costs), into IndexedDB by Range requests whose
 * bytes never enter JavaScript (the least IndexedDB can cost), and into an OPFS file.
 * All take turns in each fresh profile, after one unmeasured read of the file (a fresh browser's
 * first transfer is slow, whoever makes it). Pairs with the server held to the rates of fast home
 * connections follow.
 */
async function measureDownload(servers: Servers) {
  const model = syntheticFileName(MODELS.download);
  const label = model.replace(/\.gguf$/, '');
  const url = servers.models.url(model);
  const ms = {
    app: [] as number[],
    fetch: [] as number[],
    bare: [] as number[],
    ranges: [] as number[],
    opfs: [] as number[],
    hashed: [] as number[],
  };
  const huggingFace = await startFakeHuggingFace(
    model,
    readFileSync(join(servers.modelsDir, model)),
    url,
  );
  const throttled = THROTTLED_RATES.map((rate) => ({
    rate,
    url: `${url}?rate=${rate}`,
    app: [] as number[],
    fetch: [] as number[],
  }));
  let bytes = 0;
  try {
    for (let i = 0; i < RUNS; i++) {
      await withFreshProfile(async (page) => {
        await openApp(page, servers.app);
        await chooseBackend(page, 'cpu');
        const rawPage = await page.context().newPage();
        await rawPage.goto(servers.raw);
        const plainFetch = async (from: string) => {
          const result = await page.evaluate(async (u) => {
            const started = performance.now();
            const response = await fetch(u, { cache: 'no-store' });
            const reader = (response.body as ReadableStream<Uint8Array>).getReader();
            let read = 0;
            for (;;) {
              const { done, value } = await reader.read();
              if (done) break;
              read += value.byteLength;
            }
            return { ms: performance.now() - started, bytes: read };
          }, from);
          bytes = result.bytes;
          return result.ms;
        };
        const bareStore = async (sink: StoreSink) => {
          await rawPage.bringToFront();
          const stored = await rawPage.evaluate(
            ([u, s]) => (window as unknown as { rawEngine: RawEngine }).rawEngine.storeOnly(u, s),
            [url, sink] as const,
          );
          return stored.ms;
        };
        await plainFetch(url);
        // A page in the background gets no animation frames, and the app paints its progress in
        // them: the page being measured is brought to the front.
        const steps = [
          async () => ms.fetch.push(await plainFetch(url)),
          async () => {
            await page.bringToFront();
            ms.app.push(await loadByUrlTimed(page, url, label, 'downloaded'));
            // The model then loads, which takes the CPU: the next step waits for it.
            await waitUntilLoaded(page, label);
          },
          async () => {
            await page.bringToFront();
            ms.hashed.push(await loadFromRepoTimed(page, FAKE_REPO, model, label, 'downloaded'));
            await waitUntilLoaded(page, label);
          },
          async () => ms.bare.push(await bareStore('indexeddb')),
          async () => ms.ranges.push(await bareStore('indexeddb-ranges')),
          async () => ms.opfs.push(await bareStore('opfs')),
        ];
        // Each run starts with a different one, so none always gets the quiet first slot.
        for (let s = 0; s < steps.length; s++) await steps[(i + s) % steps.length]?.();
        if (i < THROTTLED_RUNS) {
          for (const pair of throttled) {
            await page.bringToFront();
            await page.reload();
            await openApp(page, servers.app);
            await chooseBackend(page, 'cpu');
            const turns = [
              async () => pair.fetch.push(await plainFetch(pair.url)),
              async () => {
                pair.app.push(await loadByUrlTimed(page, pair.url, label, 'downloaded'));
                await waitUntilLoaded(page, label);
              },
            ];
            for (let s = 0; s < turns.length; s++) await turns[(i + s) % turns.length]?.();
          }
        }
      }, huggingFace.browserArgs);
      log(
        `figure 2 run ${i + 1}: app ${fmt(ms.app[i])} ms, with SHA-256 ${fmt(ms.hashed[i])} ms, fetch ${fmt(ms.fetch[i])} ms, ` +
          `bare IndexedDB ${fmt(ms.bare[i])} ms, by ranges ${fmt(ms.ranges[i])} ms, bare OPFS ${fmt(ms.opfs[i])} ms` +
          throttled
            .filter(() => i < THROTTLED_RUNS)
            .map(
              (pair) =>
                `; at ${pair.rate / 1e6} MB/s: app ${fmt(pair.app[i])} ms, fetch ${fmt(pair.fetch[i])} ms`,
            )
            .join(''),
      );
    }
  } finally {
    await huggingFace.close();
  }
  const mbPerSecond = (list: number[]) => list.map((t) => bytes / 1e6 / (t / 1000));
  return {
    bytes,
    ms,
    app: mbPerSecond(ms.app),
    fetch: mbPerSecond(ms.fetch),
    bare: mbPerSecond(ms.bare),
    ranges: mbPerSecond(ms.ranges),
    hashed: mbPerSecond(ms.hashed),
    opfs: mbPerSecond(ms.opfs),
    throttled: throttled.map((pair) => ({
      rate: pair.rate,
      app: mbPerSecond(pair.app),
      fetch: mbPerSecond(pair.fetch),
    })),
  };
}

/** Figure 3: time to ready from the network and from IndexedDB, versus raw wllama from memory. */
async function measureStart(browser: Browser, servers: Servers) {
  const model = syntheticFileName(MODELS.start);
  const label = model.replace(/\.gguf$/, '');
  const url = servers.models.url(model);
  const cold: number[] = [];
  const warm: number[] = [];
  const rawMs: number[] = [];
  const rawContext = await browser.newContext();
  try {
    const rawPage = await rawContext.newPage();
    await rawPage.goto(servers.raw);
    const engine = raw(rawPage);
    await engine.fetchModel(url);
    for (let i = 0; i < RUNS; i++) {
      const runRaw = async () => {
        await rawPage.bringToFront();
        rawMs.push((await engine.load('auto')).ms);
        await engine.unload();
      };
      const runApp = () =>
        withFreshProfile(async (page) => {
          await openApp(page, servers.app);
          cold.push(await loadByUrlTimed(page, url, label, 'ready'));
          await page.reload();
          await openApp(page, servers.app);
          warm.push(await loadStoredTimed(page, label));
        });
      if (i % 2 === 0) await runRaw().then(runApp);
      else await runApp().then(runRaw);
      log(
        `figure 3 run ${i + 1}: cold ${fmt(cold[i])} ms, warm ${fmt(warm[i])} ms, raw ${fmt(rawMs[i])} ms`,
      );
    }
  } finally {
    await rawContext.close();
  }
  return { cold, warm, raw: rawMs };
}

/**
 * Figure 4: long answers in the app. Each repetition streams two: one untraced, for long tasks
 * (tracing itself slows the main thread), and one traced, for main-thread time per token.
 */
async function measureSmoothness(browser: Browser, servers: Servers) {
  const model = syntheticFileName(MODELS.speed);
  const label = model.replace(/\.gguf$/, '');
  const context = await browser.newContext();
  await instrumentMainThread(context);
  const runs: {
    longTasks: number[];
    outputTokens: number;
    decodeRate: number;
    tracedOutputTokens: number;
    cost: StreamingCost;
  }[] = [];
  try {
    const page = await context.newPage();
    await openApp(page, servers.app);
    await chooseBackend(page, 'cpu');
    await setGreedyCompletion(page, LONG_ANSWER_TOKENS);
    await loadByUrlTimed(page, servers.models.url(model), label, 'ready');
    const longAnswer = async (prompt: string) => {
      // Every answer starts from an empty conversation, so repetitions are alike.
      const newChat = page.getByRole('button', { name: 'New chat' });
      if (await newChat.isEnabled()) await newChat.click();
      return sendTimed(page, prompt);
    };
    for (let i = 0; i < SMOOTHNESS_RUNS; i++) {
      const untraced = await longAnswer(PROMPTS[i % PROMPTS.length] as string);
      const observed = await page.evaluate(
        () =>
          (window as unknown as { benchLongTasks: { start: number; duration: number }[] })
            .benchLongTasks,
      );
      const longTasks = longTasksBetween(observed, untraced.sentAt, untraced.doneAt).map((t) =>
        Math.round(t.duration),
      );

      await browser.startTracing(page, { categories: TRACE_CATEGORIES });
      const traced = await longAnswer(PROMPTS[(i + 5) % PROMPTS.length] as string);
      const cost = streamingCost((await browser.stopTracing()).toString('utf8'), SMOOTHNESS_WINDOW);
      runs.push({
        longTasks,
        outputTokens: untraced.outputTokens,
        decodeRate: untraced.panelDecodeRate,
        tracedOutputTokens: traced.outputTokens,
        cost,
      });
      log(
        `figure 4 run ${i + 1}: ${untraced.outputTokens} tokens at ${untraced.panelDecodeRate} tok/s, ` +
          `${longTasks.length} long tasks (${longTasks.join(', ')} ms); traced: ` +
          `${cost.early.msPerToken.toFixed(2)} → ${cost.late.msPerToken.toFixed(2)} ms/token`,
      );
    }
  } finally {
    await context.close();
  }
  return runs;
}

async function environment(browser: Browser, servers: Servers) {
  const page = await browser.newPage();
  try {
    await page.goto(servers.raw);
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

async function main() {
  const started = Date.now();
  const modelsDir = join(root, 'bench-models');
  mkdirSync(modelsDir, { recursive: true });
  const tokenizer = () => join(sharedModelsDir(), 'llama-2-tiny-random.gguf');
  for (const model of Object.values(MODELS)) {
    log(`model ${syntheticFileName(model)}`);
    ensureSyntheticGguf(modelsDir, model, tokenizer);
  }
  const servers = await buildAndServe(modelsDir);
  const browser = await chromium.launch(launchOptions());
  try {
    const machine = await environment(browser, servers);
    log(
      `browser ${machine.browser}, adapter ${JSON.stringify(machine.webgpuAdapter)}, ${machine.cpuCount} CPUs`,
    );

    const failures: string[] = [];
    /** A figure that fails (a crash, a timeout) is reported as such; the others still run. */
    const attempt = async <T>(what: string, work: () => Promise<T>): Promise<T | null> => {
      if (ONLY && !ONLY.some((n) => what.startsWith(`figure ${n}`))) {
        failures.push(`${what}: skipped (BENCH_ONLY)`);
        return null;
      }
      try {
        return await work();
      } catch (error) {
        const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
        failures.push(`${what}: ${message}`);
        log(`${what} FAILED: ${message}`);
        return null;
      }
    };
    const gpu = await attempt('figure 1 (WebGPU)', () => measureOverhead(browser, servers, 'auto'));
    const cpu = await attempt('figure 1 (CPU)', () => measureOverhead(browser, servers, 'cpu'));
    const download = await attempt('figure 2', () => measureDownload(servers));
    const start = await attempt('figure 3', () => measureStart(browser, servers));
    const smooth = await attempt('figure 4', () => measureSmoothness(browser, servers));

    const need = <T>(value: T | null): T => {
      if (value === null) throw new Error('its measurement failed (see the log above)');
      return value;
    };
    type Measured = Pick<Figure, 'subject' | 'baseline' | 'ratio'>;
    /** Builds a figure's numbers; a failed measurement becomes an n/a row that says so. */
    const figure = (base: Omit<Figure, keyof Measured>, measured: () => Measured): Figure => {
      try {
        return { ...base, ...measured() };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return { ...base, subject: null, baseline: null, ratio: null, note: `n/a: ${reason}` };
      }
    };
    /** A figure 2 row: MB/s of a subject against a baseline (by default plain fetch, ≥ 0.9). */
    const downloadFigure = (
      what: string,
      pair: () => [subject: number[], baseline: number[]],
      {
        baselineName = 'fetch',
        target = { atLeast: 0.9 },
      }: { baselineName?: string; target?: Figure['target'] } = {},
    ) =>
      figure({ item: 2, what, unit: 'MB/s', baselineName, target }, () => {
        const [subject, baseline] = pair();
        return {
          subject: summarize(subject),
          baseline: summarize(baseline),
          ratio: pairedRatio(subject, baseline),
        };
      });
    const rates = (runs: RateRun[], key: 'decode' | 'prefill') => runs.map((r) => r[key]);
    const overheadFigures = (o: typeof gpu, name: string): Figure[] =>
      (['decode', 'prefill'] as const).map((key) =>
        figure(
          {
            item: 1,
            what: `${key === 'decode' ? 'Decode' : 'Prefill'} on ${name}, app vs raw wllama (${
              key === 'decode'
                ? `${o?.maxTokens ?? '?'} tokens`
                : `${o?.appRuns[0]?.promptTokens ?? '?'}-token prompt`
            })`,
            unit: 'tok/s',
            baselineName: 'raw wllama',
            target: { atLeast: 0.98 },
          },
          () => ({
            subject: summarize(rates(need(o).appRuns, key)),
            baseline: summarize(rates(need(o).rawRuns, key)),
            ratio: pairedRatio(rates(need(o).appRuns, key), rates(need(o).rawRuns, key)),
          }),
        ),
      );
    const early = () => need(smooth).map((r) => r.cost.early.msPerToken);
    const late = () => need(smooth).map((r) => r.cost.late.msPerToken);
    const longTaskCounts = () => summarize(need(smooth).map((r) => r.longTasks.length));
    const longAnswer = smooth ? Math.min(...smooth.map((r) => r.outputTokens)) : LONG_ANSWER_TOKENS;
    const onCpuAdapter = /swiftshader|lavapipe|llvmpipe/i.test(
      JSON.stringify(machine.webgpuAdapter),
    );
    const figures: Figure[] = [
      ...overheadFigures(gpu, `WebGPU (${gpu?.appRanOn ?? '?'})`),
      ...overheadFigures(cpu, `CPU (${cpu?.appRanOn ?? '?'})`),
      {
        item: 1,
        what: 'web-llm (MLC), app vs raw',
        unit: '',
        subject: null,
        baselineName: 'raw web-llm',
        baseline: null,
        ratio: null,
        target: { atLeast: 0.98 },
        note: 'n/a: no MLC model is available offline here',
      },
      downloadFigure(
        `Download ${download ? (download.bytes / 1e6).toFixed(0) : '?'} MB into IndexedDB vs plain fetch`,
        () => [need(download).app, need(download).fetch],
      ),
      downloadFigure(
        'Same download with its SHA-256 checked (listed by a Hugging Face repo) vs plain fetch',
        () => [need(download).hashed, need(download).fetch],
      ),
      downloadFigure(
        'Same download: the app vs the least code that puts it into IndexedDB (bare page)',
        () => [need(download).app, need(download).bare],
        { baselineName: 'bare IndexedDB', target: null },
      ),
      downloadFigure(
        'Ceiling on this machine: the bare IndexedDB writer vs plain fetch',
        () => [need(download).bare, need(download).fetch],
        { target: null },
      ),
      downloadFigure(
        'Ceiling for IndexedDB: 8 MiB Range requests put as their Blobs (bytes never in JS) vs plain fetch',
        () => [need(download).ranges, need(download).fetch],
        { target: null },
      ),
      downloadFigure(
        'Not IndexedDB: a bare OPFS file writer (sync access handle) vs plain fetch',
        () => [need(download).opfs, need(download).fetch],
        { target: null },
      ),
      ...(download?.throttled ?? []).map((pair) =>
        downloadFigure(
          `Same download, server held to ${pair.rate / 1e6} MB/s: app vs plain fetch`,
          () => [pair.app, pair.fetch],
        ),
      ),
      figure(
        {
          item: 3,
          what: `Cold start: network → ready (${syntheticFileName(MODELS.start)}, WebGPU)`,
          unit: 's',
          baselineName: 'raw load from memory',
          target: null,
        },
        () => ({
          subject: summarize(need(start).cold.map((ms) => ms / 1000)),
          baseline: summarize(need(start).raw.map((ms) => ms / 1000)),
          ratio: pairedRatio(need(start).cold, need(start).raw),
        }),
      ),
      figure(
        {
          item: 3,
          what: 'Warm start: IndexedDB → ready (same file)',
          unit: 's',
          baselineName: 'raw load from memory',
          target: { atMost: 1.2 },
        },
        () => ({
          subject: summarize(need(start).warm.map((ms) => ms / 1000)),
          baseline: summarize(need(start).raw.map((ms) => ms / 1000)),
          ratio: pairedRatio(need(start).warm, need(start).raw),
        }),
      ),
      figure(
        {
          item: 4,
          what: `Long tasks (> 50 ms) while streaming ${longAnswer} tokens (CPU backend)`,
          unit: '',
          baselineName: '–',
          target: { atMost: 0 },
        },
        () => ({ subject: longTaskCounts(), baseline: null, ratio: longTaskCounts() }),
      ),
      figure(
        {
          item: 4,
          what: `Main-thread ms per token (traced), last ${SMOOTHNESS_WINDOW} vs first ${SMOOTHNESS_WINDOW} tokens`,
          unit: 'ms',
          baselineName: 'first tokens',
          target: { atMost: 1.25 },
        },
        () => ({
          subject: summarize(late()),
          baseline: summarize(early()),
          ratio: pairedRatio(late(), early()),
        }),
      ),
      figure(
        {
          item: 5,
          what: `Decode, WebGPU vs CPU, raw wllama, same file (${syntheticFileName(MODELS.speed)})`,
          unit: 'tok/s',
          baselineName: 'CPU',
          target: { atLeast: 1 },
          ...(onCpuAdapter ? { note: 'the WebGPU adapter here runs on the CPU' } : {}),
        },
        () => ({
          subject: summarize(rates(need(gpu).rawRuns, 'decode')),
          baseline: summarize(rates(need(cpu).rawRuns, 'decode')),
          ratio: pairedRatio(
            rates(need(gpu).rawRuns, 'decode'),
            rates(need(cpu).rawRuns, 'decode'),
          ),
        }),
      ),
    ];

    const minutes = ((Date.now() - started) / 60000).toFixed(1);
    const table = figureTable(figures);
    console.log(`\n${table}\n`);
    const engineRatio = (o: typeof gpu, key: 'engineDecode' | 'enginePrefill') =>
      o
        ? formatSummary(
            pairedRatio(
              o.appRuns.map((r) => r[key]),
              o.rawRuns.map((r) => r[key]),
            ),
          )
        : 'failed';
    console.log(
      "Figure 1 by llama.cpp's own timings (no hops to the screen), app ÷ raw: decode " +
        `WebGPU ${engineRatio(gpu, 'engineDecode')}, CPU ${engineRatio(cpu, 'engineDecode')}; ` +
        `prefill WebGPU ${engineRatio(gpu, 'enginePrefill')}, CPU ${engineRatio(cpu, 'enginePrefill')}.`,
    );
    const breakdown = smooth?.[0]?.cost.late.breakdown ?? {};
    console.log(
      'Main thread per token, last tokens of the first traced answer (inclusive ms by trace event): ' +
        Object.entries(breakdown)
          .slice(0, 6)
          .map(([name, ms]) => `${name} ${ms}`)
          .join(', '),
    );
    console.log(
      `${RUNS} runs per figure (figure 4: ${SMOOTHNESS_RUNS}), ${minutes} min. Browser ${machine.browser}; WebGPU adapter ` +
        `${machine.webgpuAdapter ? `${machine.webgpuAdapter.vendor} ${machine.webgpuAdapter.architecture} ${machine.webgpuAdapter.description}`.trim() : 'none'}; ${machine.cpuCount} CPUs (${machine.cpuModel}).`,
    );
    const outDir = join(root, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = join(outDir, `${stamp}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        {
          at: new Date().toISOString(),
          minutes: Number(minutes),
          runsPerFigure: RUNS,
          smoothnessRuns: SMOOTHNESS_RUNS,
          environment: machine,
          models: MODELS,
          figures: figures.map((f) => ({ ...f, result: verdict(f) })),
          failures,
          table,
          raw: { gpu, cpu, download, start, smoothness: smooth },
        },
        null,
        2,
      ),
    );
    console.log(`Results: ${file}`);
    if (failures.length > 0) {
      console.log(`Failed: ${failures.join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    await browser.close();
    await servers.close();
  }
}

await main();
