import { describe, expect, it } from 'vitest';
import { arrivalRate, engineRates, perSecond, rateSeries } from './speed.ts';

describe('speed arithmetic', () => {
  it('divides counts by time, and refuses what cannot be divided', () => {
    expect(perSecond(50, 2000)).toBe(25);
    expect(perSecond(0, 2000)).toBeNull();
    expect(perSecond(10, 0)).toBeNull();
  });

  it('gives prefill and decode rates from the engine’s timings', () => {
    expect(
      engineRates({ promptTokens: 100, prefillMs: 250, outputTokens: 30, decodeMs: 1500 }),
    ).toEqual({ prefill: 400, decode: 20 });
  });

  it('counts the arrival rate over the intervals between pieces', () => {
    expect(arrivalRate({ at: 1000, tokens: 1 }, { at: 2000, tokens: 11 })).toBe(10);
    expect(arrivalRate({ at: 1000, tokens: 1 }, { at: 1000, tokens: 1 })).toBeNull();
    expect(arrivalRate(undefined, undefined)).toBeNull();
  });

  it('charts the rate of each interval at the interval’s end, skipping empty intervals', () => {
    expect(
      rateSeries([
        { at: 1000, tokens: 1 },
        { at: 1250, tokens: 6 },
        { at: 1250, tokens: 7 },
        { at: 1500, tokens: 9 },
      ]),
    ).toEqual([
      { seconds: 0.25, tokensPerSecond: 20 },
      { seconds: 0.5, tokensPerSecond: 8 },
    ]);
    expect(rateSeries([{ at: 5, tokens: 1 }])).toEqual([]);
  });
});
