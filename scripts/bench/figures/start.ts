/**
 * Figure 3, cold and warm start: "Load" to "ready" from the network and from IndexedDB (after a
 * reload), each app run in a fresh profile, versus raw wllama loading the same bytes from a Blob in
 * memory, interleaved run by run.
 */
import {
  keepModelsUnloadedOnStart,
  loadByUrlTimed,
  loadStoredTimed,
  openApp,
} from '../app-driver.ts';
import { withContext, withFreshProfile } from '../browser.ts';
import { MODELS, RUNS, fmt, log } from '../config.ts';
import type { FigureSpec } from '../figure-runner.ts';
import { rawPage } from '../raw-page.ts';
import { summarize } from '../../../src/shared/summary.ts';
import { pairedRatio } from '../stats.ts';
import { syntheticFileName } from '../synthetic-gguf.ts';

export const start: FigureSpec = {
  item: 3,
  name: 'figure 3 (start)',
  limitMinutes: 3 + RUNS * 2,
  measure: (bench, signal) =>
    withContext(bench.browser, signal, async (context) => {
      const { servers } = bench;
      const model = syntheticFileName(MODELS.start);
      const label = model.replace(/\.gguf$/, '');
      const url = servers.models.url(model);
      const cold: number[] = [];
      const warm: number[] = [];
      const rawMs: number[] = [];
      const raw = rawPage(await context.newPage(), signal);
      await raw.open(servers.raw);
      await raw.fetchModel(url);
      for (let i = 0; i < RUNS; i++) {
        const runRaw = async () => {
          await raw.page.bringToFront();
          rawMs.push((await raw.load('auto')).ms);
          await raw.unload();
        };
        const runApp = () =>
          withFreshProfile(signal, async (page) => {
            await openApp(page, servers.app);
            await keepModelsUnloadedOnStart(page);
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
      const seconds = (ms: number[]) => summarize(ms.map((t) => t / 1000));
      return {
        rows: [
          {
            item: 3,
            what: `Cold start: network → ready (${model}, WebGPU)`,
            unit: 's',
            subject: seconds(cold),
            baselineName: 'raw load from memory',
            baseline: seconds(rawMs),
            ratio: pairedRatio(cold, rawMs),
            target: null,
          },
          {
            item: 3,
            what: 'Warm start: IndexedDB → ready (same file)',
            unit: 's',
            subject: seconds(warm),
            baselineName: 'raw load from memory',
            baseline: seconds(rawMs),
            ratio: pairedRatio(warm, rawMs),
            target: { atMost: 1.2 },
          },
        ],
        raw: { cold, warm, raw: rawMs },
      };
    }),
};
