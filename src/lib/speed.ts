/**
 * The arithmetic of speed, written once for every view that shows it (the line under each
 * answer, the live rate and chart while it streams, the table of recent answers). The worker
 * measures; these only divide.
 */

/** `count` per second over `ms`; null when either is not positive (nothing to divide). */
export const perSecond = (count: number, ms: number): number | null =>
  count > 0 && ms > 0 ? (count / ms) * 1000 : null;

/** An answer's counts and the engine's own timings (`RunMeasurements`, `MessageTimings`). */
export interface EngineCounts {
  promptTokens: number;
  outputTokens: number;
  prefillMs: number;
  decodeMs: number;
}

export interface EngineRates {
  /** Prompt tokens processed per second. */
  prefill: number | null;
  /** Tokens generated per second, as llama.cpp's and web-llm's own timings give it. */
  decode: number | null;
}

export const engineRates = (counts: EngineCounts): EngineRates => ({
  prefill: perSecond(counts.promptTokens, counts.prefillMs),
  decode: perSecond(counts.outputTokens, counts.decodeMs),
});

/** How far an answer had got at `at` (the main thread's clock): pieces of text received. */
export interface StreamSample {
  at: number;
  tokens: number;
}

/** Arrival rate since the first piece: n pieces arrive over n - 1 intervals. */
export function arrivalRate(first: StreamSample | undefined, last: StreamSample | undefined) {
  if (!first || !last) return null;
  return perSecond(last.tokens - first.tokens, last.at - first.at);
}

export interface RatePoint {
  /** Seconds since the first piece. */
  seconds: number;
  tokensPerSecond: number;
}

/**
 * Tokens per second between consecutive samples, placed at the end of each interval: the line
 * of the live chart. Intervals of no time are skipped (nothing can be divided by them).
 */
export function rateSeries(samples: readonly StreamSample[]): RatePoint[] {
  const first = samples[0];
  if (!first) return [];
  const points: RatePoint[] = [];
  for (let i = 1; i < samples.length; i++) {
    const from = samples[i - 1] as StreamSample;
    const to = samples[i] as StreamSample;
    const rate = perSecond(to.tokens - from.tokens, to.at - from.at);
    if (rate !== null) points.push({ seconds: (to.at - first.at) / 1000, tokensPerSecond: rate });
  }
  return points;
}
