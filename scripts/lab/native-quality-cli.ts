/**
 * `npm run lab:native -- [--tokens N] [--threads N] <reference.gguf> <variant.gguf>...`: the
 * quantization lab's figures computed natively (llama.cpp through node-llama-cpp, CPU) on the
 * lab's evaluation text, the first file as the reference: what `llama-perplexity
 * --kl-divergence` prints, plus the top-K KLD the app can compute in a browser. A bare name is
 * looked up in the shared models folder too; no file at all means the stories260K ladder there.
 * Memory: every scored position keeps its whole distribution, 4 bytes per vocabulary token.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { EVALUATION_PROMPT, EVALUATION_TEXT } from '../../src/features/compare/evaluation-text.ts';
import { sharedModelsDir } from '../shared-dir.ts';
import {
  compareAtTopK,
  exactKldSummary,
  startNativeQuality,
  type NativeScore,
} from './native-quality.ts';

const KS = [8, 32, 100] as const;
const LADDER = ['f32', 'f16', 'q8_0', 'q4_0'].map((q) => `stories260K-chat-${q}.gguf`);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tokens: { type: 'string' },
    threads: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(
    'usage: npm run lab:native -- [--tokens N] [--threads N] <reference.gguf> <variant.gguf>...',
  );
  process.exit(0);
}
const threads = Number(values.threads ?? Math.min(availableParallelism(), 8));
const tokenLimit = values.tokens === undefined ? Infinity : Number(values.tokens);
if (!(threads >= 1) || !(tokenLimit >= 1)) {
  console.error('--threads and --tokens take a number of at least 1');
  process.exit(2);
}

/** The path as given, or else the file of that name in the shared models folder. */
function modelPath(name: string): string {
  if (existsSync(name)) return name;
  const shared = join(sharedModelsDir(), name);
  if (existsSync(shared)) return shared;
  console.error(`no such model file: ${name}`);
  process.exit(2);
}

const files = (positionals.length > 0 ? positionals : LADDER).map(modelPath);
const runtime = await startNativeQuality(threads);
try {
  const [referencePath, ...variantPaths] = files as [string, ...string[]];
  const reference = await runtime.open(referencePath);
  let forced: number[];
  let refScore: NativeScore;
  try {
    const tokenization = reference.tokenize(EVALUATION_PROMPT, EVALUATION_TEXT);
    if (!tokenization.textTokens) {
      throw new Error(`${basename(referencePath)} tokenizes the prompt across the text's start`);
    }
    const fits = reference.trainContextSize - tokenization.promptTokens.length;
    forced = tokenization.textTokens.slice(0, Math.min(fits, tokenLimit));
    console.log(
      `node-llama-cpp ${runtime.version}, CPU, ${threads} threads. Evaluation text: ` +
        `${forced.length} of its ${tokenization.textTokens.length} tokens scored ` +
        `(context ${reference.trainContextSize}, prompt ${tokenization.promptTokens.length} tokens with BOS), ` +
        `vocabulary ${reference.vocabSize}.`,
    );
    refScore = await reference.score(EVALUATION_PROMPT, forced, Math.max(...KS));
  } finally {
    await reference.dispose();
  }

  const rows: string[][] = [
    [
      'model',
      'MB',
      'PPL',
      'ln(PPL/ref)',
      'KLD mean',
      'median',
      'p99',
      'max',
      'same top',
      'mean Δp',
      'RMS Δp',
      ...KS.map((k) => `top-${k} KLD`),
    ],
  ];
  const megabytes = (path: string) => (statSync(path).size / 1e6).toFixed(2);
  const self = compareAtTopK(refScore.positions, refScore.positions, 1);
  rows.push([
    basename(referencePath),
    megabytes(referencePath),
    self.perplexity.reference.toFixed(4),
    'reference',
  ]);
  for (const path of variantPaths) {
    const variant = await runtime.open(path);
    try {
      const score = await variant.score(EVALUATION_PROMPT, forced, Math.max(...KS));
      const full = exactKldSummary(refScore.positions, score.positions);
      const app = KS.map((k) => compareAtTopK(refScore.positions, score.positions, k));
      const last = app.at(-1);
      if (!last) throw new Error('no top-K given');
      const percentOfFull = (kld: number) => `${((kld / full.mean) * 100).toFixed(1)} %`;
      rows.push([
        basename(path),
        megabytes(path),
        last.perplexity.variant.toFixed(4),
        last.perplexity.meanLnRatio.toFixed(5),
        full.mean.toExponential(3),
        full.median.toExponential(3),
        full.p99.toExponential(3),
        full.max.toExponential(3),
        `${(last.sameTop * 100).toFixed(2)} %`,
        `${(last.deltaP.mean * 100).toFixed(3)} %`,
        `${(last.deltaP.rms * 100).toFixed(3)} %`,
        ...app.map(({ kld }) => `${kld.mean.toExponential(3)} (${percentOfFull(kld.mean)})`),
      ]);
    } finally {
      await variant.dispose();
    }
  }
  console.log(table(rows));
  console.log(
    'KLD (nats) over the whole vocabulary, as llama-perplexity computes it; top-K KLD is what ' +
      "the app computes from each side's K most likely tokens (a lower bound), with its share of the full one.",
  );
} finally {
  await runtime.dispose();
}

/** Columns padded to their widest cell. */
function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
