import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Download, Page } from '@playwright/test';
import { sharedModelsDir } from '../scripts/shared-dir.ts';
import { EVALUATION_TEXT } from '../src/features/compare/evaluation-text.ts';
import type { LabRun } from '../src/features/compare/lab-types.ts';
import {
  compareAtTopK,
  exactKldSummary,
  startNativeQuality,
  type NativeScore,
} from '../scripts/lab/native-quality.ts';
import {
  expect,
  expectBaselineIntact,
  expectLoaded,
  openApp,
  storeBaseline,
  test,
} from './support/fixtures.ts';

/** The quantization ladder of one model (../shared/models/README.md), the reference first. */
const LADDER = ['f32', 'f16', 'q8_0', 'q4_0'].map((q) => `stories260K-chat-${q}.gguf`);

/** Small enough for a CPU-emulated GPU, large enough to tell the quantizations apart. */
const SETTINGS = {
  Repetitions: '2',
  'Prefill prompt (tokens)': '64',
  'Decode (tokens)': '16',
  'Scored text (tokens)': '200',
  'Answer length (tokens)': '16',
};

async function openCompare(page: Page) {
  await page.goto('/#/compare');
  await expect(page.getByRole('heading', { name: 'Compare quantizations' })).toBeVisible();
}

async function pickByUrl(page: Page, url: string) {
  await page.getByLabel('GGUF URL to compare').fill(url);
  await page.getByRole('button', { name: 'Add URL' }).click();
}

async function useSmallSettings(page: Page) {
  await page.getByText('Settings', { exact: true }).click();
  for (const [label, value] of Object.entries(SETTINGS)) {
    await page.getByLabel(label).fill(value);
  }
}

const results = (page: Page) => page.getByRole('table', { name: 'Comparison results' });

/** The results table as text: header cells, then one array per row. */
async function tableText(page: Page): Promise<string[][]> {
  const table = results(page);
  const header = await table.locator('thead th').allInnerTexts();
  const rows = await table.locator('tbody tr').all();
  const body = await Promise.all(
    rows.map(async (row) => (await row.locator('th, td').allInnerTexts()).map((t) => t.trim())),
  );
  return [header.map((t) => t.trim()), ...body];
}

const readDownload = async (download: Download) => {
  const path = await download.path();
  const { readFileSync } = await import('node:fs');
  return readFileSync(path, 'utf8');
};

/** A number in the results table, by variant and column header. */
function cell(table: string[][], variant: string, header: string): number {
  const column = table[0]?.indexOf(header) ?? -1;
  const row = table.find((cells) => cells[0] === variant);
  if (column < 0 || !row) throw new Error(`no cell ${variant} / ${header}`);
  // A speed cell reads "median (min–max)": its first number is the median.
  return Number.parseFloat(row[column] ?? '');
}

test('the lab compares the ladder: sizes, speed, quality, answers, charts, exports', async ({
  page,
  models,
}) => {
  test.setTimeout(600_000);
  await openApp(page);
  // The chat's model and a conversation, which must be back and intact after the comparison.
  const baseline = await storeBaseline(page, models);

  await openCompare(page);
  // Picked out of order: the lab runs the most precise first, as the reference.
  for (const file of [LADDER[2], LADDER[0], LADDER[3], LADDER[1]]) {
    await pickByUrl(page, models.url(file ?? ''));
  }
  await pickByUrl(page, models.url('missing-Q4_K_M.gguf'));
  const plan = page.getByRole('table', { name: 'Variants to compare' });
  await expect(plan.locator('tbody tr')).toHaveCount(5);
  await expect(plan.locator('tbody tr').first()).toContainText('stories260K-chat-f32');
  await useSmallSettings(page);
  // Quality on the CPU, as native llama.cpp computes it (the GPU rounds differently: its q8_0
  // multiplies in float, the CPU's quantizes the activations too), and speed on both.
  await page.getByLabel('Quality and answers on').selectOption('cpu');
  await page.getByLabel(/Also measure speed on the GPU/).check();

  await page.getByRole('button', { name: 'Run comparison' }).click();
  await expect(page.getByRole('region', { name: 'Comparison progress' })).toBeVisible();
  await expect(results(page)).toBeVisible({ timeout: 540_000 });

  const table = await tableText(page);
  expect(table).toHaveLength(1 + 5);
  // Sizes are the files' sizes.
  for (const file of LADDER) {
    const bytes = statSync(join(sharedModelsDir(), file)).size;
    expect(cell(table, file.replace('.gguf', ''), 'Size (MB)')).toBeCloseTo(bytes / 1e6, 1);
  }
  // Quality follows precision: the closer to f32, the smaller the divergence.
  const kld = (q: string) => cell(table, `stories260K-chat-${q}`, 'KLD');
  const sameTop = (q: string) => cell(table, `stories260K-chat-${q}`, 'Same top (%)');
  expect(kld('f16')).toBeLessThan(kld('q8_0'));
  expect(kld('q8_0')).toBeLessThan(kld('q4_0'));
  expect(sameTop('f16')).toBeGreaterThanOrEqual(99);
  expect(sameTop('q4_0')).toBeLessThan(100);
  for (const q of ['f32', 'f16', 'q8_0', 'q4_0']) {
    expect(cell(table, `stories260K-chat-${q}`, 'Decode tok/s · CPU')).toBeGreaterThan(0);
    expect(cell(table, `stories260K-chat-${q}`, 'Decode tok/s · WebGPU')).toBeGreaterThan(0);
  }
  // Where each ran, as llama.cpp reported it.
  expect(table[1]?.[table[0]?.indexOf('Ran on') ?? -1]).toMatch(/^CPU/);
  // The missing file failed alone; the others finished.
  const missing = table.find((cells) => cells[0] === 'missing-Q4_K_M');
  expect(missing?.at(-1)).toMatch(/Failed/);

  // Charts, each with its data table.
  for (const chart of ['Quality loss', 'Decode speed']) {
    await expect(page.getByRole('img', { name: new RegExp(chart) })).toBeVisible();
    await expect(
      page.getByRole('table', { name: new RegExp(`^${chart}.*: data$`) }).locator('tbody tr'),
    ).not.toHaveCount(0);
  }
  // Answers side by side, the reference's unmarked.
  await expect(page.getByRole('region', { name: 'Greedy answers' })).toContainText(
    'Once upon a time',
  );

  // The exports equal the table.
  const [csv] = await Promise.all([
    page.waitForEvent('download').then(readDownload),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const csvRows = csv
    .trim()
    .split('\r\n')
    .map((line) => line.split(',').map((cell) => cell.replace(/^"|"$/g, '')));
  expect(csvRows.map((row) => row.slice(0, 10))).toEqual(table.map((row) => row.slice(0, 10)));
  const [json] = await Promise.all([
    page.waitForEvent('download').then(readDownload),
    page.getByRole('button', { name: 'Export JSON' }).click(),
  ]);
  const run = JSON.parse(json) as LabRun;
  expect(run.rows.map((row) => row.variant.label)).toEqual(table.slice(1).map((row) => row[0]));
  for (const row of run.rows.filter((r) => r.quality)) {
    expect(cell(table, row.variant.label, 'KLD')).toBeCloseTo(row.quality?.kld.mean ?? NaN, 5);
  }
  expect(run.evaluation?.tokens.length).toBe(200);
  expect(run.evaluation?.tokenization).toEqual({ kind: 'canonical' });
  await expect(page.getByRole('region', { name: 'Comparison', exact: true })).toContainText(
    "The tokens are llama.cpp's own tokenization of the text, and the engine counts the same.",
  );

  // The chat's model is back, and the run is saved.
  await expectLoaded(page, 'stories260K-chat-q8_0');
  await expect(page.getByRole('region', { name: 'Saved comparisons' })).toContainText(
    'stories260K-chat-f32',
  );

  await expectBaselineIntact(page, baseline);
  await agreesWithNativeLlamaCpp(run);
});

/**
 * The lab's figures against native llama.cpp (node-llama-cpp) on the same files and the same
 * tokens: perplexity within 1 %, KL divergence within 10 % (the browser's top-K against the same
 * top-K natively; the full-vocabulary KLD is printed beside it to show what top-K costs).
 */
async function agreesWithNativeLlamaCpp(run: LabRun) {
  const evaluation = run.evaluation;
  if (!evaluation) throw new Error('the run scored nothing');
  const native = await startNativeQuality(1);
  const scores = new Map<string, NativeScore>();
  try {
    for (const file of LADDER) {
      const model = await native.open(join(sharedModelsDir(), file));
      try {
        // The lab forced llama.cpp's own (canonical) tokens of the text.
        const canonical = model.tokenize(evaluation.prompt, EVALUATION_TEXT).textTokens;
        expect(canonical?.slice(0, evaluation.tokens.length)).toEqual(evaluation.tokens);
        scores.set(
          file.replace('.gguf', ''),
          await model.score(evaluation.prompt, evaluation.tokens, model.vocabSize),
        );
      } finally {
        await model.dispose();
      }
    }
  } finally {
    await native.dispose();
  }
  const reference = scores.get('stories260K-chat-f32');
  if (!reference) throw new Error('no native reference');
  expect(reference.promptTokens).toBe(evaluation.promptTokens);
  const lines: string[] = [];
  const checks: (() => void)[] = [];
  for (const row of run.rows.filter((r) => r.status === 'done')) {
    const nativeScore = scores.get(row.variant.label);
    const browserPpl = row.perplexity;
    if (!nativeScore || browserPpl === null) continue;
    const nativePpl = Math.exp(
      -nativeScore.positions.reduce((sum, p) => sum + p.logprob, 0) / nativeScore.positions.length,
    );
    checks.push(() => expect(Math.abs(browserPpl / nativePpl - 1)).toBeLessThan(0.01));
    let line = `${row.variant.label}: PPL ${browserPpl.toFixed(4)} vs native ${nativePpl.toFixed(4)}`;
    const quality = row.quality;
    if (quality) {
      const topK = compareAtTopK(reference.positions, nativeScore.positions, evaluation.topK);
      const full = exactKldSummary(reference.positions, nativeScore.positions);
      checks.push(() => expectSameKld(quality.kld.mean, topK.kld.mean));
      line += `; KLD top-${evaluation.topK} ${quality.kld.mean.toExponential(3)} vs native ${topK.kld.mean.toExponential(3)} (full vocabulary ${full.mean.toExponential(3)}); same top ${(quality.sameTop * 100).toFixed(1)} % vs ${(topK.sameTop * 100).toFixed(1)} %`;
    }
    lines.push(line);
  }
  console.log(`[lab vs native llama.cpp, ${evaluation.tokens.length} tokens]\n${lines.join('\n')}`);
  for (const check of checks) check();
}

/**
 * Within 10 %, where a KLD stands above the arithmetic's own noise: two backends (WebGPU here,
 * the CPU natively) round differently, which alone moves a KLD by about 1e-5, f16's whole size.
 */
function expectSameKld(browser: number, native: number) {
  if (native >= 1e-4) expect(Math.abs(browser / native - 1)).toBeLessThan(0.1);
  else expect(Math.abs(browser - native)).toBeLessThan(1e-5);
}

test('cancelling a comparison keeps the finished rows, which open again offline', async ({
  page,
  context,
  models,
}) => {
  test.setTimeout(300_000);
  await openApp(page);
  await openCompare(page);
  for (const file of [LADDER[0], LADDER[3]]) await pickByUrl(page, models.url(file ?? ''));
  await useSmallSettings(page);
  await page.getByLabel('Scored text (tokens)').fill('1000');
  await page.getByRole('button', { name: 'Run comparison' }).click();
  const progress = page.getByRole('region', { name: 'Comparison progress' });
  // The reference finishes; cancel while the second variant is measured.
  await expect(progress.getByRole('listitem').first()).toContainText('done', { timeout: 240_000 });
  await page.getByRole('button', { name: 'Cancel comparison' }).click();
  await expect(results(page)).toBeVisible({ timeout: 60_000 });
  const table = await tableText(page);
  expect(table.slice(1).map((row) => row[0])).toEqual(['stories260K-chat-f32']);
  await expect(page.getByRole('heading', { name: /cancelled/ })).toBeVisible();
  // Nothing was loaded before: nothing is loaded after.
  await expect(page.getByRole('status', { name: 'Loaded model' })).toContainText('No model');

  // The saved run opens again later, with no network at all (the service worker has the app).
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await context.setOffline(true);
  await page.goto('about:blank');
  await openCompare(page);
  await page.getByRole('button', { name: /Open the comparison/ }).click();
  expect((await tableText(page)).slice(1).map((row) => row[0])).toEqual(['stories260K-chat-f32']);
});
