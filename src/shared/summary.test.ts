import { describe, expect, it } from 'vitest';
import { quantile, summarize } from './summary.ts';

describe('summarize', () => {
  it('gives the middle value of an odd count, whatever the order', () => {
    expect(summarize([9, 1, 5])).toEqual({ median: 5, min: 1, max: 9, runs: 3 });
  });

  it('averages the middle two of an even count', () => {
    expect(summarize([4, 1, 3, 10])).toEqual({ median: 3.5, min: 1, max: 10, runs: 4 });
  });

  it('leaves out runs that measured nothing (NaN, infinity)', () => {
    expect(summarize([2, Number.NaN, 4, Number.POSITIVE_INFINITY])).toEqual({
      median: 3,
      min: 2,
      max: 4,
      runs: 2,
    });
  });

  it('refuses an empty series instead of inventing a number', () => {
    expect(() => summarize([])).toThrow(RangeError);
    expect(() => summarize([Number.NaN])).toThrow(RangeError);
  });
});

describe('quantile', () => {
  // 0..100 in steps of 1, shuffled: the q quantile is 100 q exactly.
  const hundred = Array.from({ length: 101 }, (_, i) => (i * 37) % 101);

  it('reads order statistics of a shuffled series', () => {
    expect(quantile(hundred, 0)).toBe(0);
    expect(quantile(hundred, 0.99)).toBe(99);
    expect(quantile(hundred, 1)).toBe(100);
  });

  it('interpolates between the two nearest values', () => {
    // Sorted [10, 20, 30, 40]: 0.99 sits at index 2.97, 97 % of the way from 30 to 40.
    expect(quantile([40, 10, 30, 20], 0.99)).toBeCloseTo(39.7, 12);
    expect(quantile([40, 10, 30, 20], 0.5)).toBe(summarize([40, 10, 30, 20]).median);
  });

  it('refuses a quantile outside [0, 1] and an empty series', () => {
    expect(() => quantile([1, 2], 1.5)).toThrow(RangeError);
    expect(() => quantile([1, 2], Number.NaN)).toThrow(RangeError);
    expect(() => quantile([], 0.5)).toThrow(RangeError);
  });
});
