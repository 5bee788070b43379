/**
 * `npm run bench`: measures the app against the raw engine, side by side in one run (issue 5).
 * Builds the app and the raw-engine page, serves both and the models locally, drives Chromium,
 * runs each figure (figures/) under its time limit, prints a table and writes JSON to
 * bench-results/. See README, "Benchmark".
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { sharedModelsDir } from '../shared-dir.ts';
import { environment, launchOptions } from './browser.ts';
import { MODELS, ONLY, ROOT, RUNS, SMOOTHNESS_RUNS, log } from './config.ts';
import { runFigure, type FigureOutcome, type FigureSpec } from './figure-runner.ts';
import { download } from './figures/download.ts';
import { engineOverhead, webLlmOverhead } from './figures/engine-overhead.ts';
import { longUse } from './figures/long-use.ts';
import { native } from './figures/native.ts';
import { smoothness } from './figures/smoothness.ts';
import { start } from './figures/start.ts';
import { webgpuVsCpu } from './figures/webgpu-vs-cpu.ts';
import { figureTable, verdict } from './report.ts';
import { buildAndServe } from './servers.ts';
import { ensureSyntheticGguf, syntheticFileName } from './synthetic-gguf.ts';

const FIGURES: FigureSpec[] = [
  engineOverhead('auto'),
  engineOverhead('cpu'),
  webLlmOverhead,
  download,
  start,
  smoothness,
  webgpuVsCpu,
  native,
  longUse,
];

async function main() {
  const started = Date.now();
  const modelsDir = join(ROOT, 'bench-models');
  mkdirSync(modelsDir, { recursive: true });
  const tokenizer = () => join(sharedModelsDir(), 'llama-2-tiny-random.gguf');
  for (const model of Object.values(MODELS)) {
    log(`model ${syntheticFileName(model)}`);
    ensureSyntheticGguf(modelsDir, model, tokenizer);
  }
  const servers = await buildAndServe(modelsDir);
  const browser = await chromium.launch(launchOptions());
  try {
    const machine = await environment(browser, servers.raw);
    log(
      `browser ${machine.browser}, adapter ${JSON.stringify(machine.webgpuAdapter)}, ${machine.cpuCount} CPUs`,
    );
    const outcomes: FigureOutcome[] = [];
    // One after the other: each has the machine to itself, and a failed one never stops the rest.
    for (const spec of FIGURES) {
      outcomes.push(await runFigure(spec, { browser, servers, machine }, ONLY));
    }
    const figures = outcomes.flatMap((o) => o.rows);
    const failures = outcomes.flatMap((o) => (o.failure ? [`${o.name}: ${o.failure}`] : []));

    const minutes = ((Date.now() - started) / 60000).toFixed(1);
    const table = figureTable(figures);
    console.log(`\n${table}\n`);
    for (const note of outcomes.flatMap((o) => o.notes ?? [])) console.log(note);
    const adapter = machine.webgpuAdapter;
    console.log(
      `${RUNS} runs per figure (figure 4: ${SMOOTHNESS_RUNS}), ${minutes} min. Browser ${machine.browser}; WebGPU adapter ` +
        `${adapter ? `${adapter.vendor} ${adapter.architecture} ${adapter.description}`.trim() : 'none'}; ${machine.cpuCount} CPUs (${machine.cpuModel}).`,
    );
    const outDir = join(ROOT, 'bench-results');
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
          raw: Object.fromEntries(
            outcomes.map((o) => [o.name, { seconds: o.seconds, data: o.raw ?? null }]),
          ),
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
