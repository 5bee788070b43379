/**
 * Figure 5, WebGPU versus CPU: decode tok/s of raw wllama on the same file, the same prompts and
 * the same answer length, one page loaded on each backend, interleaved run by run.
 */
import { onCpuAdapter, withContext } from '../browser.ts';
import { MODELS, OVERHEAD_TOKENS, RUNS, fmt, log, promptFor } from '../config.ts';
import type { FigureSpec } from '../figure-runner.ts';
import { rawRates, rates, type RateRun } from '../rates.ts';
import { rawPage } from '../raw-page.ts';
import { summarize } from '../../../src/shared/summary.ts';
import { pairedRatio } from '../stats.ts';
import { syntheticFileName } from '../synthetic-gguf.ts';

export const webgpuVsCpu: FigureSpec = {
  item: 5,
  name: 'figure 5 (WebGPU vs CPU)',
  limitMinutes: 4 + RUNS * 1.5,
  measure: (bench, signal) =>
    withContext(bench.browser, signal, async (context) => {
      const model = syntheticFileName(MODELS.speed);
      const url = bench.servers.models.url(model);
      // The WebGPU side sets the length: a CPU "GPU" (lavapipe here) decodes slowly.
      const maxTokens = OVERHEAD_TOKENS.auto;
      const open = async (backend: 'auto' | 'cpu') => {
        const raw = rawPage(await context.newPage(), signal);
        await raw.open(bench.servers.raw);
        await raw.fetchModel(url);
        const loaded = await raw.load(backend);
        // The first answer compiles WebGPU pipelines; it is not measured, on either side.
        await raw.generate('Warm up.', maxTokens);
        return { raw, loaded };
      };
      const gpu = await open('auto');
      const cpu = await open('cpu');
      log(`figure 5: WebGPU page runs on ${gpu.loaded.ranOn}, CPU page on ${cpu.loaded.ranOn}`);
      const gpuRuns: RateRun[] = [];
      const cpuRuns: RateRun[] = [];
      for (let i = 0; i < RUNS; i++) {
        const run = async (side: typeof gpu, into: RateRun[]) => {
          await side.raw.page.bringToFront();
          into.push(rawRates(await side.raw.generate(promptFor(i), maxTokens)));
        };
        if (i % 2 === 0) await run(gpu, gpuRuns).then(() => run(cpu, cpuRuns));
        else await run(cpu, cpuRuns).then(() => run(gpu, gpuRuns));
        log(
          `figure 5 run ${i + 1}: WebGPU ${fmt(gpuRuns[i]?.decode)} vs CPU ${fmt(cpuRuns[i]?.decode)} tok/s decode`,
        );
      }
      await gpu.raw.unload();
      await cpu.raw.unload();
      const decode = (runs: RateRun[]) => rates(runs, 'decode');
      return {
        rows: [
          {
            item: 5,
            what: `Decode, WebGPU vs CPU (${cpu.loaded.threads} thread${cpu.loaded.threads === 1 ? '' : 's'}), raw wllama, same file (${model}, ${maxTokens} tokens)`,
            unit: 'tok/s',
            subject: summarize(decode(gpuRuns)),
            baselineName: 'CPU',
            baseline: summarize(decode(cpuRuns)),
            ratio: pairedRatio(decode(gpuRuns), decode(cpuRuns)),
            target: { atLeast: 1 },
            ...(onCpuAdapter(bench.machine)
              ? { note: 'the WebGPU adapter here runs on the CPU' }
              : {}),
            ...(gpu.loaded.ranOn !== 'webgpu' ? { note: 'wllama did not run on WebGPU here' } : {}),
          },
        ],
        raw: { gpuRuns, cpuRuns, gpuRanOn: gpu.loaded.ranOn, threads: cpu.loaded.threads },
      };
    }),
};
