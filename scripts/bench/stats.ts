/**
 * The benchmark's arithmetic: each figure is the median of several runs with its min and max, and
 * app-versus-baseline figures are ratios of runs paired by repetition (run i of the app with run i
 * of the baseline, measured back to back), so drift over the whole run hits both sides alike.
 */

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/**
 * Median (mean of the middle two for an even count), min and max of `values`.
 *
 * @throws RangeError when there is no finite value to summarise.
 */
export function summarize(values: readonly number[]): Summary {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) throw new RangeError('no finite values to summarise');
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted.at(-1) as number, runs: sorted.length };
}

/**
 * `subject[i] ÷ baseline[i]` for every repetition i that has both, summarised. Pairing (rather than
 * dividing two medians) keeps each ratio within one stretch of time on a noisy machine.
 *
 * @throws RangeError when the two series differ in length or no pair gives a finite ratio.
 */
export function pairedRatio(subject: readonly number[], baseline: readonly number[]): Summary {
  if (subject.length !== baseline.length) {
    throw new RangeError(`unpaired runs: ${subject.length} versus ${baseline.length}`);
  }
  return summarize(subject.map((value, i) => value / (baseline[i] as number)));
}

export type Target = { atLeast: number } | { atMost: number };

export const meets = (value: number, target: Target) =>
  'atLeast' in target ? value >= target.atLeast : value <= target.atMost;

export const describeTarget = (target: Target) =>
  'atLeast' in target ? `≥ ${target.atLeast}` : `≤ ${target.atMost}`;
