/**
 * The benchmark's arithmetic: each figure is the median of several runs with its min and max, and
 * app-versus-baseline figures are ratios of runs paired by repetition (run i of the app with run i
 * of the baseline, measured back to back), so drift over the whole run hits both sides alike.
 * Medians, min and max come from src/shared/summary.ts, which the app uses too.
 */
import { summarize, type Summary } from '../../src/shared/summary.ts';

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
