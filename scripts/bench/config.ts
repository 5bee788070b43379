/** The benchmark's knobs (environment variables, see README "Benchmark") and its fixed inputs. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SyntheticModel } from './synthetic-gguf.ts';

const env = process.env;
const number = (name: string, fallback: number) => {
  const value = Number(env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const RUNS = number('BENCH_RUNS', 5);
/** BENCH_ONLY=2,4 measures only those figures (the others print as n/a). */
export const ONLY = env.BENCH_ONLY?.split(',').map((n) => n.trim());
/** Figure 4 streams two long answers per run, so it gets fewer runs. */
export const SMOOTHNESS_RUNS = number('BENCH_SMOOTHNESS_RUNS', 3);
export const APP_PORT = number('BENCH_PORT', 4271);
export const RAW_PORT = APP_PORT + 1;
/** Tokens per answer for figure 1, per backend: enough to time, few enough for a CPU "GPU". */
export const OVERHEAD_TOKENS = { auto: number('BENCH_GPU_TOKENS', 32), cpu: 128 };
export const LONG_ANSWER_TOKENS = number('BENCH_LONG_TOKENS', 1000);
/** Figure 6: native llama.cpp decodes ~10× faster than wasm, so more tokens keep its run timeable. */
export const NATIVE_TOKENS = number('BENCH_NATIVE_TOKENS', 256);
/** Tokens in each of the early and late windows of figure 4: 200, or a third of a shorter answer. */
export const SMOOTHNESS_WINDOW = Math.min(200, Math.floor(LONG_ANSWER_TOKENS / 3));
/**
 * Figure 7, long use: the stored chats (one of them long), the answers and model switches that
 * memory is followed over, and how often it is sampled.
 */
export const LONG_USE = {
  chats: 500,
  longMessages: 300,
  answers: number('BENCH_LONG_USE_ANSWERS', 50),
  /** Short answers: what is followed is what each answer leaves behind, not decoding. */
  answerTokens: 16,
  sampleEvery: 10,
  switches: number('BENCH_LONG_USE_SWITCHES', 20),
};

/**
 * Figure 2's throttled pairs: the server held to 50 MB/s (400 Mbit/s) and 125 MB/s (1 Gbit/s,
 * the fastest common home connection), where the download should go at the network's pace.
 */
export const THROTTLED_RATES = [50e6, 125e6];
export const THROTTLED_RUNS = Math.min(RUNS, 3);

/**
 * The longest one wait inside a figure may take (a page call, an answer, a load): a hung page
 * ends the wait with a reason instead of holding the figure until its own limit.
 */
export const STEP_MS = number('BENCH_STEP_SECONDS', 300) * 1000;
/** Overrides every figure's own time limit (minutes), e.g. to give a slow machine more. */
export const FIGURE_MINUTES = env.BENCH_FIGURE_MINUTES ? number('BENCH_FIGURE_MINUTES', 1) : null;
/** How long a figure that ran over its limit gets to close its browsers before the next starts. */
export const CLEANUP_GRACE_MS = 30_000;

export const MODELS = {
  /** Figures 1, 4, 5, 6, 7: small enough to decode a long answer within minutes on a CPU. */
  speed: { size: '25m', type: 'q4_0' },
  /** Figure 2: the issue asks for a file of at least 200 MB (this one is 224 MB). */
  download: { size: '400m', type: 'q4_0' },
  /** Figure 3: loaded 3 × 3 times; figure 7 switches between it and `speed`. */
  start: { size: '100m', type: 'q4_0' },
} as const satisfies Record<string, SyntheticModel>;

/** Different first words, so llama.cpp cannot reuse the previous run's prompt from its KV cache. */
export const PROMPTS = [
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

export const promptFor = (run: number) => PROMPTS[run % PROMPTS.length] as string;

export const log = (message: string) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

export const fmt = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(2));
