import { describe, expect, it } from 'vitest';
import { describeTarget, meets, pairedRatio, summarize } from './stats.ts';

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

describe('pairedRatio', () => {
  it('divides run i by run i, not median by median', () => {
    // Medians 20 ÷ 20 would say 1; every pair says the subject is half as fast.
    const ratio = pairedRatio([10, 20, 40], [20, 40, 80]);
    expect(ratio).toEqual({ median: 0.5, min: 0.5, max: 0.5, runs: 3 });
  });

  it('summarises pairs that differ', () => {
    expect(pairedRatio([9, 10, 12], [10, 10, 10])).toEqual({
      median: 1,
      min: 0.9,
      max: 1.2,
      runs: 3,
    });
  });

  it('refuses series of different lengths', () => {
    expect(() => pairedRatio([1, 2], [1])).toThrow(/unpaired/);
  });
});

describe('targets', () => {
  it('checks both directions, bounds included', () => {
    expect(meets(0.98, { atLeast: 0.98 })).toBe(true);
    expect(meets(0.97, { atLeast: 0.98 })).toBe(false);
    expect(meets(1.2, { atMost: 1.2 })).toBe(true);
    expect(meets(1.21, { atMost: 1.2 })).toBe(false);
    expect(describeTarget({ atMost: 1.2 })).toBe('≤ 1.2');
  });
});
