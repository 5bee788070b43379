/**
 * The quantization lab's native reference: llama.cpp in this Node process (node-llama-cpp's
 * prebuilt CPU binaries) scores a forced token sequence the way the browser engine does, but
 * keeps every position's whole distribution. With it the app's top-K figures can be checked
 * against the exact full-vocabulary KLD that `llama-perplexity --kl-divergence` would print.
 */
import type { Llama, LlamaModel, Token } from 'node-llama-cpp';
import type { TokenScore } from '../../src/shared/engine-protocol.ts';
import { quantile, summarize } from '../../src/shared/summary.ts';
import {
  compareWithReference,
  type QualityComparison,
} from '../../src/features/compare/quality-metrics.ts';

/** A teacher-forced position with the model's whole next-token distribution. */
export interface NativePosition extends TokenScore {
  /**
   * p of every vocabulary token, by token id: the float32 values llama.cpp computed, kept
   * unrounded (log-probabilities in float32 would blur a KLD of 1e-6).
   */
  probabilities: Float32Array;
}

export interface NativeTokenization {
  /** BOS (where the model adds one) and the prompt's tokens, as llama.cpp's server makes them. */
  promptTokens: number[];
  /** BOS, prompt and text read as one prompt: the canonical tokenization. */
  canonicalTokens: number[];
  /**
   * The canonical tokens after the prompt's: the tokens a forced text should be. Null where the
   * prompt's own tokens are not the start of the canonical ones (a token spans the boundary).
   */
  textTokens: number[] | null;
}

export interface NativeScore {
  /** Tokens read before the first scored one (BOS included). */
  promptTokens: number;
  vocabSize: number;
  positions: NativePosition[];
}

export interface NativeQualityModel {
  modelPath: string;
  vocabSize: number;
  trainContextSize: number;
  tokenize: (prompt: string, text: string) => NativeTokenization;
  /**
   * Reads BOS + prompt, then `tokens` teacher-forced, from an empty context. `top` of each
   * position lists its `topLimit` most likely tokens (default 128); `probabilities` has them all.
   *
   * @throws RangeError where prompt and tokens do not fit the model's trained context.
   * @throws Error where llama.cpp's distribution does not span the vocabulary.
   */
  score: (prompt: string, tokens: readonly number[], topLimit?: number) => Promise<NativeScore>;
  dispose: () => Promise<void>;
}

export interface NativeQualityRuntime {
  /** node-llama-cpp's version. */
  version: string;
  open: (modelPath: string) => Promise<NativeQualityModel>;
  dispose: () => Promise<void>;
}

/**
 * Starts llama.cpp on the CPU with `threads` threads (never builds it).
 *
 * @throws Error where node-llama-cpp has no prebuilt binary that runs here.
 */
export async function startNativeQuality(threads: number): Promise<NativeQualityRuntime> {
  const { getLlama, getModuleVersion, LlamaLogLevel } = await import('node-llama-cpp');
  const llama = await getLlama({
    gpu: false,
    build: 'never',
    maxThreads: threads,
    logLevel: LlamaLogLevel.error,
  });
  return {
    version: await getModuleVersion(),
    open: (modelPath) => openModel(llama, modelPath, threads),
    dispose: () => llama.dispose(),
  };
}

async function openModel(
  llama: Llama,
  modelPath: string,
  threads: number,
): Promise<NativeQualityModel> {
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  const vocabSize = Array.from(model.iterateAllTokens()).length;
  // llama.cpp's server (wllama) adds the model's BOS and parses special tokens in the prompt.
  const withBos = (text: string): Token[] => {
    const tokens = model.tokenize(text, true);
    const bos = model.tokens.bos;
    return model.tokens.shouldPrependBosToken && bos !== null ? [bos, ...tokens] : tokens;
  };
  return {
    modelPath,
    vocabSize,
    trainContextSize: model.trainContextSize,
    tokenize(prompt, text) {
      const promptTokens = withBos(prompt);
      const canonicalTokens = withBos(prompt + text);
      const prefix = promptTokens.every((token, i) => canonicalTokens[i] === token);
      return {
        promptTokens,
        canonicalTokens,
        textTokens: prefix ? canonicalTokens.slice(promptTokens.length) : null,
      };
    },
    score: (prompt, tokens, topLimit = 128) =>
      scoreForced(model, withBos(prompt), tokens, { vocabSize, threads, topLimit }),
    dispose: () => model.dispose(),
  };
}

/** Tokens per evaluation call (and per batch). */
const CHUNK = 256;

/** Below the smallest float32: a probability llama.cpp rounded to 0 reads as this. */
const MIN_PROBABILITY = 1e-45;

async function scoreForced(
  model: LlamaModel,
  prompt: Token[],
  forced: readonly number[],
  { vocabSize, threads, topLimit }: { vocabSize: number; threads: number; topLimit: number },
): Promise<NativeScore> {
  // The browser's token ids, read back as this model's tokens: the variants of one model share
  // a vocabulary, and a foreign id fails the vocabulary check below.
  const sequence = forced as Token[];
  const input = [...prompt, ...sequence];
  if (input.length > model.trainContextSize) {
    throw new RangeError(
      `${prompt.length} prompt tokens and ${sequence.length} forced tokens exceed the model's context of ${model.trainContextSize}`,
    );
  }
  const context = await model.createContext({
    contextSize: input.length,
    batchSize: Math.min(input.length, CHUNK),
    threads: { ideal: threads, min: 1 },
  });
  try {
    const sequenceState = context.getSequence();
    // Input item `first + j` is followed by forced token j: its distribution is position j's.
    const first = prompt.length - 1;
    const positions: NativePosition[] = [];
    // In chunks, so that node-llama-cpp's Maps (one entry per vocabulary token and position) of
    // only one chunk are alive at a time; each later call continues the same sequence.
    for (let start = 0; start < input.length; start += CHUNK) {
      const chunk = input.slice(start, start + CHUNK);
      // node-llama-cpp computes the probabilities after its sampler chain. With temperature 0
      // the chain is greedy only, which leaves the logits as they are: the result is the raw
      // softmax at temperature 1 over the whole vocabulary. Any other temperature brings its
      // default top-k 40 and top-p 0.95 (which cut the list and renormalise) and scales the logits.
      const results = await sequenceState.controlledEvaluate(
        chunk.map((token, offset) => {
          const i = start + offset;
          return i >= first && i < input.length - 1
            ? [token, { generateNext: { probabilities: true, options: { temperature: 0 } } }]
            : token;
        }),
      );
      results.forEach((result, offset) => {
        const j = start + offset - first;
        if (j < 0 || j >= sequence.length) return;
        const distribution = result?.next.probabilities;
        if (distribution?.size !== vocabSize) {
          throw new Error(
            `llama.cpp gave ${distribution?.size ?? 'no'} probabilities at position ${j}, not one for each of the ${vocabSize} tokens`,
          );
        }
        const previous = sequence.slice(Math.max(0, j - 4), j);
        positions.push(
          nativePosition(model, sequence[j] as Token, distribution, previous, {
            vocabSize,
            topLimit,
          }),
        );
      });
    }
    if (positions.length !== sequence.length) {
      throw new Error(`llama.cpp scored ${positions.length} of ${sequence.length} positions`);
    }
    return { promptTokens: prompt.length, vocabSize, positions };
  } finally {
    await context.dispose();
  }
}

function nativePosition(
  model: LlamaModel,
  token: Token,
  distribution: Map<Token, number>,
  previous: Token[],
  { vocabSize, topLimit }: { vocabSize: number; topLimit: number },
): NativePosition {
  const probabilities = new Float32Array(vocabSize);
  const top: TokenScore['top'] = [];
  // The map comes most likely first.
  for (const [id, p] of distribution) {
    probabilities[id] = p;
    if (top.length < topLimit) top.push({ token: id, logprob: logOf(p) });
  }
  return {
    token,
    logprob: logOf(probabilities[token] ?? 0),
    // With the tokens before it, so that a leading space comes out as the engine writes it.
    text: model.detokenize([token], false, previous),
    top,
    probabilities,
  };
}

const logOf = (p: number) => Math.log(Math.max(p, MIN_PROBABILITY));

function assertSameTokens(reference: readonly TokenScore[], variant: readonly TokenScore[]) {
  if (
    reference.length !== variant.length ||
    reference.some((position, i) => position.token !== variant[i]?.token)
  ) {
    throw new RangeError('the reference and the variant were not scored on the same tokens');
  }
}

/**
 * KL(P ‖ Q) over the whole vocabulary, in nats, as llama.cpp's perplexity tool computes it. Both
 * distributions are renormalised in double first (their float32 sums are 1 ± 1e-6).
 *
 * @throws RangeError where the two distributions differ in size.
 */
export function exactKld(reference: NativePosition, variant: NativePosition): number {
  const p = reference.probabilities;
  const q = variant.probabilities;
  if (p.length !== q.length) throw new RangeError('distributions over different vocabularies');
  let pSum = 0;
  let qSum = 0;
  for (let i = 0; i < p.length; i += 1) {
    pSum += p[i] as number;
    qSum += q[i] as number;
  }
  let kld = 0;
  for (let i = 0; i < p.length; i += 1) {
    const pi = (p[i] as number) / pSum;
    if (pi > 0) kld += pi * Math.log(pi / Math.max((q[i] as number) / qSum, MIN_PROBABILITY));
  }
  return Math.max(0, kld);
}

export interface KldSummary {
  mean: number;
  median: number;
  p99: number;
  max: number;
}

/**
 * `exactKld` at every position: mean, median, 99th percentile and max.
 *
 * @throws RangeError where the two were not scored on the same tokens.
 */
export function exactKldSummary(
  reference: readonly NativePosition[],
  variant: readonly NativePosition[],
): KldSummary {
  assertSameTokens(reference, variant);
  const klds = reference.map((position, i) => exactKld(position, variant[i] as NativePosition));
  const { median, max } = summarize(klds);
  return {
    mean: klds.reduce((a, b) => a + b, 0) / klds.length,
    median,
    p99: quantile(klds, 0.99),
    max,
  };
}

/**
 * The positions as the browser reports them with top-K = `k`: only the `k` most likely tokens.
 *
 * @throws RangeError where a position lists fewer than `k` (raise `score`'s `topLimit`).
 */
export function withTopK(positions: readonly TokenScore[], k: number): TokenScore[] {
  return positions.map(({ token, logprob, text, top }) => {
    if (top.length < k)
      throw new RangeError(`top-${k} asked of a position that lists ${top.length}`);
    return { token, logprob, text, top: top.slice(0, k) };
  });
}

/** What the app would show for these two at top-K = `k`: its own `compareWithReference`. */
export const compareAtTopK = (
  reference: readonly TokenScore[],
  variant: readonly TokenScore[],
  k: number,
): QualityComparison => compareWithReference(withTopK(reference, k), withTopK(variant, k));

/** Probabilities of the listed tokens and the forced one. */
function listed(position: TokenScore): Map<number, number> {
  const probabilities = new Map(position.top.map((e) => [e.token, Math.exp(e.logprob)]));
  probabilities.set(position.token, Math.exp(position.logprob));
  return probabilities;
}

/**
 * For comparison only, the naive alternative to the app's buckets: KL between P and Q restricted
 * to the tokens both sides list (and the forced one), each renormalised to sum to 1 there. It
 * drops the mass outside, so it is not a bound of the full KLD: two models that agree on the
 * order of their top tokens but not on how much mass those hold score near zero.
 */
export function renormalisedTopKKld(reference: TokenScore, variant: TokenScore): number {
  const q = listed(variant);
  const pairs = [...listed(reference)].flatMap(([token, p]) => {
    const qi = q.get(token);
    return qi === undefined ? [] : [[p, qi] as const];
  });
  const pSum = pairs.reduce((sum, [pi]) => sum + pi, 0);
  const qSum = pairs.reduce((sum, [, qi]) => sum + qi, 0);
  const kld = pairs.reduce(
    (sum, [pi, qi]) => sum + (pi / pSum) * Math.log(pi / pSum / (qi / qSum)),
    0,
  );
  return Math.max(0, kld);
}

/**
 * For comparison only, the definition the app first had (rejected, see `topKKld`): every token
 * the reference lists (and the forced one) is its own bucket; one the variant did not list gets
 * q = (1 − Σ listed q) / (vocabSize − listed count), its unlisted mass spread evenly.
 */
export function evenSpreadTopKKld(
  reference: TokenScore,
  variant: TokenScore,
  vocabSize: number,
): number {
  const q = listed(variant);
  let qListed = 0;
  for (const qi of q.values()) qListed += qi;
  const spread = Math.max(1 - qListed, 1e-6) / Math.max(vocabSize - q.size, 1);
  let kld = 0;
  let pKnown = 0;
  let qKnown = 0;
  for (const [token, p] of listed(reference)) {
    const qi = q.get(token) ?? spread;
    kld += p * Math.log(p / qi);
    pKnown += p;
    qKnown += qi;
  }
  const pRest = 1 - pKnown;
  if (pRest > 1e-6) kld += pRest * Math.log(pRest / Math.max(1 - qKnown, 1e-6));
  return Math.max(0, kld);
}
