/**
 * How far a quantized variant's predictions are from the reference's, measured teacher-forced on
 * one token sequence the way llama.cpp's `llama-perplexity --kl-divergence` does: perplexity,
 * KL divergence, "same top p" and Δp. Unlike llama.cpp, the browser has only each position's
 * top K tokens, never the whole distribution; `topKKld` says what that costs.
 */
import type { TokenScore } from '../../shared/engine-protocol.ts';
import { quantile, summarize } from '../../shared/summary.ts';

/** What the metrics read of a scored position (a `TokenScore` without its text). */
export type ScoredPosition = Pick<TokenScore, 'token' | 'logprob' | 'top'>;

/**
 * The engine's probabilities are float32: a logprob below ln(1e-45) (the smallest float32) or an
 * underflowed −∞ is read as this floor, so that one impossible token makes a large but finite
 * divergence rather than an infinite mean.
 */
const MIN_LOGPROB = Math.log(1e-45);

/**
 * The rest bucket's mass, 1 − Σ p, carries the float32 rounding of every term in the sum (the
 * engine's distributions sum to 1 ± 1e-6). Below this it is noise: a reference rest mass this
 * small counts as none, and a variant rest mass this small is raised to it before a log.
 */
const DERIVED_MASS_NOISE = 1e-6;

/** Logprobs a little above 0 are float rounding of p ≈ 1; more than this is a broken input. */
const LOGPROB_SLACK = 1e-3;

function probability(logprob: number): number {
  if (Number.isNaN(logprob) || logprob > LOGPROB_SLACK) {
    throw new RangeError(`${logprob} is not a log-probability`);
  }
  return Math.min(1, Math.exp(Math.max(logprob, MIN_LOGPROB)));
}

/**
 * Perplexity of a teacher-forced sequence: exp(−mean ln p(forced token)).
 *
 * @throws RangeError when there is no position, or a logprob is not one.
 */
export function perplexity(positions: readonly ScoredPosition[]): number {
  if (positions.length === 0) throw new RangeError('no positions: perplexity is undefined');
  let sum = 0;
  for (const { logprob } of positions) sum += Math.log(probability(logprob));
  return Math.exp(-sum / positions.length);
}

/**
 * KL(P_ref ‖ Q_variant) at one position, from the top K each side reported: a lower bound of the
 * full-vocabulary KLD that needs no guess.
 *
 * Buckets: every token whose probability both sides report (listed by both, and always the
 * forced token, whose logprob both report exactly) is its own bucket; all other tokens make one
 * rest bucket, p_rest = 1 − Σ p and q_rest = 1 − Σ q over the own-bucket tokens. Then
 * KLD = Σ over buckets p · ln(p / q). Every p and q is known, and merging tokens into buckets can
 * only lower KL (the data-processing inequality), so this is a lower bound of the full KLD; it
 * grows with K and reaches the full KLD once K spans the vocabulary.
 *
 * Why not give each token the reference lists a bucket, with a guessed q where the variant did
 * not list it (its unlisted mass spread evenly)? Because the tokens it misses are mostly those
 * just below its K-th, far likelier than an even share of the long tail: on the stories260K
 * ladder that guess made the KLD of f16 57 times the full one at K = 8 (scripts/lab/).
 *
 * Float guards: see `MIN_LOGPROB` and `DERIVED_MASS_NOISE`; a total that rounding puts below
 * zero reads as zero. The engine normalises each distribution in float32 (to 1 ± 1e-6), so
 * values near 1e-6 are noise.
 *
 * @throws RangeError when the two positions force different tokens, or a logprob is not one.
 */
export function topKKld(reference: ScoredPosition, variant: ScoredPosition): number {
  if (reference.token !== variant.token) {
    throw new RangeError(
      `the variant forced token ${variant.token} where the reference forced ${reference.token}`,
    );
  }
  const listed = listedProbabilities(variant);
  let kld = 0;
  let pOwn = 0;
  let qOwn = 0;
  for (const [token, p] of listedProbabilities(reference)) {
    const q = listed.get(token);
    if (q === undefined) continue;
    // Both are above zero: read through MIN_LOGPROB.
    kld += p * Math.log(p / q);
    pOwn += p;
    qOwn += q;
  }
  const pRest = 1 - pOwn;
  if (pRest > DERIVED_MASS_NOISE) {
    kld += pRest * Math.log(pRest / Math.max(1 - qOwn, DERIVED_MASS_NOISE));
  }
  // KL is never negative; a small negative sum is the rounding of terms that cancel.
  return Math.max(0, kld);
}

/** The position's top K and its forced token as probabilities (its own logprob wins over its entry). */
function listedProbabilities(position: ScoredPosition): Map<number, number> {
  const probabilities = new Map<number, number>();
  for (const { token, logprob } of position.top) probabilities.set(token, probability(logprob));
  probabilities.set(position.token, probability(position.logprob));
  return probabilities;
}

function sumOf(values: Iterable<number>): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum;
}

/** The most likely token a position lists (the first of equals). */
function topToken(position: ScoredPosition, side: string, index: number): number {
  const [first, ...rest] = position.top;
  if (!first) throw new RangeError(`the ${side} lists no top tokens at position ${index}`);
  return rest.reduce((best, entry) => (entry.logprob > best.logprob ? entry : best), first).token;
}

/** A variant measured against the reference, llama.cpp's figures for `--kl-divergence`. */
export interface QualityComparison {
  /** Positions compared (the length of the forced sequence). */
  positions: number;
  /**
   * Per-position `topKKld` (nats): mean, median, 99th percentile (interpolated) and max. Each is
   * a lower bound of the full-vocabulary figure, close to it once K covers most of the mass.
   */
  kld: { mean: number; median: number; p99: number; max: number };
  /** Share (0 to 1) of positions where both sides' most likely token is the same. */
  sameTop: number;
  /** Δp = p_variant(forced token) − p_reference(forced token), as fractions of 1: mean and RMS. */
  deltaP: { mean: number; rms: number };
  perplexity: {
    reference: number;
    variant: number;
    /** PPL(variant) / PPL(reference). */
    ratio: number;
    /** Mean over positions of ln p_ref − ln p_variant, which is ln(PPL(variant) / PPL(reference)). */
    meanLnRatio: number;
  };
}

/**
 * Compares a variant's teacher-forced scores with the reference's, position by position.
 *
 * @throws RangeError when the two were not scored on the same tokens, position by position, or
 *   when there is nothing to compare.
 */
export function compareWithReference(
  reference: readonly ScoredPosition[],
  variant: readonly ScoredPosition[],
): QualityComparison {
  if (reference.length !== variant.length) {
    throw new RangeError(
      `the reference has ${reference.length} scored positions and the variant ${variant.length}: both must be scored on the same tokens`,
    );
  }
  if (reference.length === 0) throw new RangeError('nothing to compare: no scored positions');
  reference.forEach((ref, i) => {
    const token = (variant[i] as ScoredPosition).token;
    if (token !== ref.token) {
      throw new RangeError(
        `the variant was scored on other tokens than the reference: position ${i} has token ${token} where the reference has ${ref.token}`,
      );
    }
  });

  const klds: number[] = [];
  const deltas: number[] = [];
  let sameTop = 0;
  let lnRatioSum = 0;
  reference.forEach((ref, i) => {
    const other = variant[i] as ScoredPosition;
    klds.push(topKKld(ref, other));
    const pRef = probability(ref.logprob);
    const pVariant = probability(other.logprob);
    deltas.push(pVariant - pRef);
    lnRatioSum += Math.log(pRef) - Math.log(pVariant);
    if (topToken(ref, 'reference', i) === topToken(other, 'variant', i)) sameTop += 1;
  });

  const n = reference.length;
  const pplReference = perplexity(reference);
  const pplVariant = perplexity(variant);
  return {
    positions: n,
    kld: {
      mean: sumOf(klds) / n,
      median: summarize(klds).median,
      p99: quantile(klds, 0.99),
      max: summarize(klds).max,
    },
    sameTop: sameTop / n,
    deltaP: {
      mean: sumOf(deltas) / n,
      rms: Math.sqrt(sumOf(deltas.map((d) => d * d)) / n),
    },
    perplexity: {
      reference: pplReference,
      variant: pplVariant,
      ratio: pplVariant / pplReference,
      meanLnRatio: lnRatioSum / n,
    },
  };
}
