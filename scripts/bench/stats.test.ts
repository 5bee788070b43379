import { describe, expect, it } from 'vitest';
import { describeTarget, meets, pairedRatio } from './stats.ts';

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
