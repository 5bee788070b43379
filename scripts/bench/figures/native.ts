/**
 * Figure 6, raw wllama on the CPU versus native llama.cpp on the same CPU: the same GGUF file, the
 * same prompts (the same prompt tokens, checked), the same number of generated tokens (wllama
 * ignores EOS, native generates exactly as many), greedy, the same thread count, interleaved run
 * by run. wllama's rates are llama.cpp's own timings inside the wasm (no hop to the page), native's
 * are timed around each token in Node; decode is tokens ÷ (first token → last), as llama.cpp's
 * server (wllama) counts it.
 */
import { join } from 'node:path';
import { withContext } from '../browser.ts';
import { MODELS, NATIVE_TOKENS, RUNS, fmt, log, promptFor } from '../config.ts';
import type { FigureSpec, Measured } from '../figure-runner.ts';
import { openNativeLlama, type NativeLlama, type NativeRun } from '../native-llama.ts';
import { rateRows, rawRates, type RateRun } from '../rates.ts';
import { rawPage } from '../raw-page.ts';
import { syntheticFileName } from '../synthetic-gguf.ts';

const CONTEXT_SIZE = 2048;

const nativeRates = (run: NativeRun): RateRun => {
  const decode = run.outputTokens / (run.decodeMs / 1000);
  const prefill = run.promptTokens / (run.prefillMs / 1000);
  return {
    decode,
    prefill,
    engineDecode: decode,
    enginePrefill: prefill,
    outputTokens: run.outputTokens,
    promptTokens: run.promptTokens,
  };
};

const plural = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;

export const native: FigureSpec = {
  item: 6,
  name: 'figure 6 (wllama vs native)',
  limitMinutes: 3 + RUNS,
  measure: (bench, signal) =>
    withContext(bench.browser, signal, async (context): Promise<Measured> => {
      const model = syntheticFileName(MODELS.speed);
      const raw = rawPage(await context.newPage(), signal);
      await raw.open(bench.servers.raw);
      await raw.fetchModel(bench.servers.models.url(model));
      const loaded = await raw.load('cpu');
      let nativeLlama: NativeLlama;
      try {
        nativeLlama = await openNativeLlama(
          join(bench.servers.modelsDir, model),
          loaded.threads,
          CONTEXT_SIZE,
        );
      } catch (error) {
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
        log(`figure 6: native llama.cpp does not run here: ${reason}`);
        return {
          rows: [notAvailable(`native llama.cpp (node-llama-cpp) does not run here: ${reason}`)],
        };
      }
      try {
        log(
          `figure 6: wllama on ${loaded.ranOn} with ${plural(loaded.threads)}, ` +
            `node-llama-cpp ${nativeLlama.version} with ${plural(nativeLlama.threads)}; warming up`,
        );
        await raw.generate('Warm up.', NATIVE_TOKENS, true);
        await nativeLlama.generate('Warm up.', NATIVE_TOKENS, signal);
        const rawRuns: RateRun[] = [];
        const nativeRuns: RateRun[] = [];
        for (let i = 0; i < RUNS; i++) {
          const prompt = promptFor(i);
          const runRaw = async () => {
            rawRuns.push(rawRates(await raw.generate(prompt, NATIVE_TOKENS, true)));
          };
          const runNative = async () => {
            nativeRuns.push(nativeRates(await nativeLlama.generate(prompt, NATIVE_TOKENS, signal)));
          };
          if (i % 2 === 0) await runRaw().then(runNative);
          else await runNative().then(runRaw);
          const [w, n] = [rawRuns[i] as RateRun, nativeRuns[i] as RateRun];
          if (w.promptTokens !== n.promptTokens || w.outputTokens !== n.outputTokens) {
            throw new Error(
              `run ${i + 1} is not the same work: wllama ${w.promptTokens} prompt + ${w.outputTokens} ` +
                `output tokens, native ${n.promptTokens} + ${n.outputTokens}`,
            );
          }
          log(
            `figure 6 run ${i + 1}: wllama ${fmt(w.engineDecode)} vs native ${fmt(n.engineDecode)} tok/s decode, ` +
              `${fmt(w.enginePrefill)} vs ${fmt(n.enginePrefill)} tok/s prefill`,
          );
        }
        await raw.unload();
        const sides = `wllama ${plural(loaded.threads)}, native ${plural(nativeLlama.threads)}`;
        return {
          rows: rateRows(rawRuns, nativeRuns, {
            item: 6,
            what: (rate) =>
              `${rate === 'decode' ? 'Decode' : 'Prefill'} on the CPU, raw wllama vs native llama.cpp ` +
              `(node-llama-cpp), ${model}, ${
                rate === 'decode'
                  ? `${NATIVE_TOKENS} tokens`
                  : `${rawRuns[0]?.promptTokens ?? '?'}-token prompt`
              }, ${sides}`,
            baselineName: 'native',
            target: null,
            keys: { decode: 'engineDecode', prefill: 'enginePrefill' },
          }),
          notes: [
            `Figure 6: native is node-llama-cpp ${nativeLlama.version}; wllama's llama.cpp is ${loaded.libllama}.`,
          ],
          raw: {
            rawRuns,
            nativeRuns,
            wllamaThreads: loaded.threads,
            nativeThreads: nativeLlama.threads,
            nodeLlamaCpp: nativeLlama.version,
          },
        };
      } finally {
        await nativeLlama.dispose();
      }
    }),
};

const notAvailable = (reason: string) => ({
  item: 6,
  what: 'Raw wllama on the CPU vs native llama.cpp on the same CPU',
  unit: 'tok/s',
  subject: null,
  baselineName: 'native',
  baseline: null,
  ratio: null,
  target: null,
  note: `n/a: ${reason}`,
});
