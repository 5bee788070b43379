/**
 * Robust statistics for series of measurements, used by the app (the quantization lab) and the
 * benchmark alike: medians and percentiles rather than means, so one outlier run or one odd
 * position does not move the figure.
 */

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** The finite values, ascending: a run that measured nothing (NaN, infinity) is not a value. */
const finiteAscending = (values: readonly number[]) =>
  values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);

/**
 * Median (mean of the middle two for an even count), min and max of `values`; values that are
 * not finite are left out (and not counted in `runs`).
 *
 * @throws RangeError when there is no finite value to summarise.
 */
export function summarize(values: readonly number[]): Summary {
  const sorted = finiteAscending(values);
  if (sorted.length === 0) throw new RangeError('no finite values to summarise');
  return {
    median: quantileOfSorted(sorted, 0.5),
    min: sorted[0] as number,
    max: sorted.at(-1) as number,
    runs: sorted.length,
  };
}

/**
 * The `q` quantile (0 ≤ q ≤ 1) of the finite `values`, interpolated linearly between the two
 * nearest order statistics (NumPy's default), so that `quantile(v, 0.5)` is `summarize(v).median`.
 *
 * @throws RangeError when `q` is outside [0, 1] or there is no finite value.
 */
export function quantile(values: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is outside [0, 1]`);
  const sorted = finiteAscending(values);
  if (sorted.length === 0) throw new RangeError('no finite values to summarise');
  return quantileOfSorted(sorted, q);
}

function quantileOfSorted(sorted: readonly number[], q: number): number {
  const at = q * (sorted.length - 1);
  const below = Math.floor(at);
  const low = sorted[below] as number;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] as number;
  return low + (high - low) * (at - below);
}
