/**
 * Figure 2: the app's download into IndexedDB versus a plain fetch of the same file, in the same
 * page; beside them, the bare page stores the same download with the least code that can: into
 * IndexedDB as the app does (what IndexedDB itself costs), into IndexedDB by Range requests whose
 * bytes never enter JavaScript (the least IndexedDB can cost), and into an OPFS file.
 * All take turns in each fresh profile, after one unmeasured read of the file (a fresh browser's
 * first transfer is slow, whoever makes it). Pairs with the server held to the rates of fast home
 * connections follow.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import {
  chooseBackend,
  keepModelsUnloadedOnStart,
  loadByUrlTimed,
  loadFromRepoTimed,
  openApp,
  waitUntilLoaded,
} from '../app-driver.ts';
import { withFreshProfile } from '../browser.ts';
import { MODELS, RUNS, STEP_MS, THROTTLED_RATES, THROTTLED_RUNS, fmt, log } from '../config.ts';
import { FAKE_REPO, startFakeHuggingFace } from '../fake-hugging-face.ts';
import type { FigureSpec } from '../figure-runner.ts';
import { rawPage } from '../raw-page.ts';
import type { Figure } from '../report.ts';
import { summarize } from '../../../src/shared/summary.ts';
import { pairedRatio } from '../stats.ts';
import { syntheticFileName } from '../synthetic-gguf.ts';
import { withTimeLimit } from '../time-limit.ts';

/** Reads `url` to its end in the page without keeping it; ms and bytes. */
const plainFetch = (page: Page, url: string, signal: AbortSignal) =>
  withTimeLimit(
    'plain fetch',
    STEP_MS,
    () =>
      page.evaluate(async (u) => {
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
      }, url),
    { parent: signal },
  );

export const download: FigureSpec = {
  item: 2,
  name: 'figure 2 (download)',
  limitMinutes: 5 + RUNS * 5,
  measure: async (bench, signal) => {
    const { servers } = bench;
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
        await withFreshProfile(
          signal,
          async (page) => {
            await openApp(page, servers.app);
            await keepModelsUnloadedOnStart(page);
            await chooseBackend(page, 'cpu');
            const raw = rawPage(await page.context().newPage(), signal);
            await raw.open(servers.raw);
            const timedFetch = async (from: string) => {
              const result = await plainFetch(page, from, signal);
              bytes = result.bytes;
              return result.ms;
            };
            const bareStore = async (sink: 'indexeddb' | 'indexeddb-ranges' | 'opfs') => {
              await raw.page.bringToFront();
              return (await raw.storeOnly(url, sink)).ms;
            };
            await timedFetch(url);
            // A page in the background gets no animation frames, and the app paints its progress
            // in them: the page being measured is brought to the front.
            const steps = [
              async () => ms.fetch.push(await timedFetch(url)),
              async () => {
                await page.bringToFront();
                ms.app.push(await loadByUrlTimed(page, url, label, 'downloaded'));
                // The model then loads, which takes the CPU: the next step waits for it.
                await waitUntilLoaded(page, label);
              },
              async () => {
                await page.bringToFront();
                ms.hashed.push(
                  await loadFromRepoTimed(page, FAKE_REPO, model, label, 'downloaded'),
                );
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
                  async () => pair.fetch.push(await timedFetch(pair.url)),
                  async () => {
                    pair.app.push(await loadByUrlTimed(page, pair.url, label, 'downloaded'));
                    await waitUntilLoaded(page, label);
                  },
                ];
                for (let s = 0; s < turns.length; s++) await turns[(i + s) % turns.length]?.();
              }
            }
          },
          huggingFace.browserArgs,
        );
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
    const speeds = {
      app: mbPerSecond(ms.app),
      fetch: mbPerSecond(ms.fetch),
      bare: mbPerSecond(ms.bare),
      ranges: mbPerSecond(ms.ranges),
      hashed: mbPerSecond(ms.hashed),
      opfs: mbPerSecond(ms.opfs),
    };
    /** A row: MB/s of a subject against a baseline (by default plain fetch, ≥ 0.9). */
    const row = (
      what: string,
      subject: number[],
      baseline: number[],
      {
        baselineName = 'fetch',
        target = { atLeast: 0.9 },
      }: { baselineName?: string; target?: Figure['target'] } = {},
    ): Figure => ({
      item: 2,
      what,
      unit: 'MB/s',
      subject: summarize(subject),
      baselineName,
      baseline: summarize(baseline),
      ratio: pairedRatio(subject, baseline),
      target,
    });
    const throttledSpeeds = throttled.map((pair) => ({
      rate: pair.rate,
      app: mbPerSecond(pair.app),
      fetch: mbPerSecond(pair.fetch),
    }));
    return {
      rows: [
        row(
          `Download ${(bytes / 1e6).toFixed(0)} MB into IndexedDB vs plain fetch`,
          speeds.app,
          speeds.fetch,
        ),
        row(
          'Same download with its SHA-256 checked (listed by a Hugging Face repo) vs plain fetch',
          speeds.hashed,
          speeds.fetch,
        ),
        row(
          'Same download: the app vs the least code that puts it into IndexedDB (bare page)',
          speeds.app,
          speeds.bare,
          { baselineName: 'bare IndexedDB', target: null },
        ),
        row(
          'Ceiling on this machine: the bare IndexedDB writer vs plain fetch',
          speeds.bare,
          speeds.fetch,
          { target: null },
        ),
        row(
          'Ceiling for IndexedDB: 8 MiB Range requests put as their Blobs (bytes never in JS) vs plain fetch',
          speeds.ranges,
          speeds.fetch,
          { target: null },
        ),
        row(
          'Not IndexedDB: a bare OPFS file writer (sync access handle) vs plain fetch',
          speeds.opfs,
          speeds.fetch,
          { target: null },
        ),
        ...throttledSpeeds.map((pair) =>
          row(
            `Same download, server held to ${pair.rate / 1e6} MB/s: app vs plain fetch`,
            pair.app,
            pair.fetch,
          ),
        ),
      ],
      raw: { bytes, ms, ...speeds, throttled: throttledSpeeds },
    };
  },
};
