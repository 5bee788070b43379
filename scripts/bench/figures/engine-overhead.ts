/**
 * Figure 1, engine overhead: decode and prefill through the whole app (worker, Comlink, React
 * streaming UI) versus raw wllama in the bare page, on one backend, interleaved run by run. Both
 * are timed as a user sees them: prefill = prompt tokens ÷ time to the first text, decode =
 * (tokens − 1) ÷ time from the first to the last text.
 */
import {
  chooseBackend,
  loadByUrlTimed,
  openApp,
  sendTimed,
  setGreedyCompletion,
} from '../app-driver.ts';
import { withContext } from '../browser.ts';
import { MODELS, OVERHEAD_TOKENS, RUNS, fmt, log, promptFor } from '../config.ts';
import type { FigureSpec, Measured } from '../figure-runner.ts';
import { appRates, rateRows, rawRates, rates, type RateRun } from '../rates.ts';
import { rawPage } from '../raw-page.ts';
import { formatSummary, type Figure } from '../report.ts';
import { pairedRatio } from '../stats.ts';
import { syntheticFileName } from '../synthetic-gguf.ts';

type Backend = 'auto' | 'cpu';

export function engineOverhead(backend: Backend): FigureSpec {
  const name = `figure 1 (${backend === 'auto' ? 'WebGPU' : 'CPU'})`;
  return {
    item: 1,
    name,
    limitMinutes: 4 + RUNS * (backend === 'auto' ? 1.5 : 1),
    measure: (bench, signal) =>
      withContext(bench.browser, signal, async (context): Promise<Measured> => {
        const model = syntheticFileName(MODELS.speed);
        const label = model.replace(/\.gguf$/, '');
        const url = bench.servers.models.url(model);
        const maxTokens = OVERHEAD_TOKENS[backend];
        const app = await context.newPage();
        await openApp(app, bench.servers.app);
        await chooseBackend(app, backend);
        await setGreedyCompletion(app, maxTokens);
        await loadByUrlTimed(app, url, label, 'ready');
        const appRanOn = await app.getByTestId('backend').innerText();
        const raw = rawPage(await context.newPage(), signal);
        await raw.open(bench.servers.raw);
        await raw.fetchModel(url);
        const rawLoad = await raw.load(backend);
        log(`${name}: app runs on ${appRanOn}, raw on ${rawLoad.ranOn}; warming up`);
        // The first answer compiles WebGPU pipelines; it is not measured, on either side.
        await app.bringToFront();
        await sendTimed(app, 'Warm up.');
        await raw.page.bringToFront();
        await raw.generate('Warm up.', maxTokens);

        const appRuns: RateRun[] = [];
        const rawRuns: RateRun[] = [];
        for (let i = 0; i < RUNS; i++) {
          const prompt = promptFor(i);
          const runApp = async () => {
            await app.bringToFront();
            appRuns.push(appRates(await sendTimed(app, prompt)));
          };
          const runRaw = async () => {
            await raw.page.bringToFront();
            rawRuns.push(rawRates(await raw.generate(prompt, maxTokens)));
          };
          // Alternate who goes first, so neither side always runs on a warmer machine.
          if (i % 2 === 0) await runApp().then(runRaw);
          else await runRaw().then(runApp);
          log(
            `${name} run ${i + 1}: app ${fmt(appRuns[i]?.decode)} vs raw ${fmt(rawRuns[i]?.decode)} tok/s decode`,
          );
        }
        await raw.unload();
        const on = `${backend === 'auto' ? 'WebGPU' : 'CPU'} (${appRanOn})`;
        const rows: Figure[] = rateRows(appRuns, rawRuns, {
          item: 1,
          what: (key) =>
            `${key === 'decode' ? 'Decode' : 'Prefill'} on ${on}, app vs raw wllama (${
              key === 'decode'
                ? `${maxTokens} tokens`
                : `${appRuns[0]?.promptTokens ?? '?'}-token prompt`
            })`,
          baselineName: 'raw wllama',
          target: { atLeast: 0.98 },
        });
        const engineRatio = (key: 'engineDecode' | 'enginePrefill') =>
          formatSummary(pairedRatio(rates(appRuns, key), rates(rawRuns, key)));
        return {
          rows,
          notes: [
            `Figure 1 on ${on} by llama.cpp's own timings (no hops to the screen), app ÷ raw: ` +
              `decode ${engineRatio('engineDecode')}, prefill ${engineRatio('enginePrefill')}.`,
          ],
          raw: {
            appRuns,
            rawRuns,
            appRanOn,
            rawRanOn: rawLoad.ranOn,
            threads: rawLoad.threads,
            maxTokens,
          },
        };
      }),
  };
}

/** web-llm has no row: no MLC model is available offline here. */
export const webLlmOverhead: FigureSpec = {
  item: 1,
  name: 'figure 1 (web-llm)',
  limitMinutes: 1,
  measure: () =>
    Promise.resolve({
      rows: [
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
      ],
    }),
};
