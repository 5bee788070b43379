import { describe, expect, it } from 'vitest';
import {
  compareWithReference,
  perplexity,
  topKKld,
  type ScoredPosition,
} from './quality-metrics.ts';

/** A position from plain probabilities: the forced token and the listed top, most likely first. */
function position(token: number, p: number, top: [token: number, p: number][]): ScoredPosition {
  return {
    token,
    logprob: Math.log(p),
    top: top.map(([t, q]) => ({ token: t, logprob: Math.log(q) })),
  };
}

describe('perplexity', () => {
  it('is exp of minus the mean log-probability of the forced tokens', () => {
    // exp(−(ln ½ + ln ¼) / 2) = (⅛)^(−½) = √8
    const positions = [position(0, 0.5, [[0, 0.5]]), position(1, 0.25, [[0, 0.6]])];
    expect(perplexity(positions)).toBeCloseTo(Math.SQRT2 * 2, 12);
  });

  it('refuses an empty sequence and a logprob that is not one', () => {
    expect(() => perplexity([])).toThrow(RangeError);
    expect(() => perplexity([{ token: 0, logprob: Number.NaN, top: [] }])).toThrow(RangeError);
    expect(() => perplexity([{ token: 0, logprob: 0.5, top: [] }])).toThrow(RangeError);
  });
});

describe('topKKld', () => {
  it('gives the full KLD when only one token is left out (the rest bucket is that token)', () => {
    // P = [.5 .3 .15 .05], Q = [.4 .4 .1 .1]; top 2 of each, token 2 forced, token 3 unlisted.
    // .5 ln(.5/.4) + .3 ln(.3/.4) + .15 ln(.15/.1) + .05 ln(.05/.1)
    const ref = position(2, 0.15, [
      [0, 0.5],
      [1, 0.3],
    ]);
    const variant = position(2, 0.1, [
      [0, 0.4],
      [1, 0.4],
    ]);
    expect(topKKld(ref, variant)).toBeCloseTo(0.05142956110979794, 12);
  });

  it('puts a token only one side lists into the rest bucket, where both masses are known', () => {
    // The reference lists 0 (.6) and 1 (.2), the variant 0 (.7) and 2 (.1); token 0 is forced.
    // Only token 0 is known to both: rest p = 1 − .6 = .4, rest q = 1 − .7 = .3.
    // .6 ln(.6/.7) + .4 ln(.4/.3)
    const ref = position(0, 0.6, [
      [0, 0.6],
      [1, 0.2],
    ]);
    const variant = position(0, 0.7, [
      [0, 0.7],
      [2, 0.1],
    ]);
    expect(topKKld(ref, variant)).toBeCloseTo(0.022582421084357485, 12);
  });

  it('is zero for the same float32 distribution whose listed mass rounds above 1', () => {
    const p = [0.4, 0.3, 0.2, 0.1].map((v) => Math.fround(v + 1.5e-7));
    expect(p.reduce((a, b) => a + b)).toBeGreaterThan(1);
    const full = position(
      1,
      p[1] as number,
      p.map((v, t) => [t, v]),
    );
    expect(topKKld(full, full)).toBe(0);
  });

  it('stays finite where the variant found the forced token impossible', () => {
    const ref = position(1, 0.3, [
      [0, 0.6],
      [1, 0.3],
    ]);
    const variant: ScoredPosition = { ...position(1, 1, [[0, 0.99]]), logprob: -Infinity };
    const kld = topKKld(ref, variant);
    expect(Number.isFinite(kld)).toBe(true);
    // The forced token's term alone is .3 ln(.3 / 1e-45), about 30 nats.
    expect(kld).toBeGreaterThan(25);
  });

  it('refuses positions that forced different tokens', () => {
    const a = position(0, 0.5, [[0, 0.5]]);
    const b = position(1, 0.5, [[1, 0.5]]);
    expect(() => topKKld(a, b)).toThrow(/forced token 1 where the reference forced 0/);
  });

  describe('against the full KLD of random distributions', () => {
    const vocab = 64;
    // A small seeded generator (mulberry32): the same distributions on every run.
    let seed = 12345;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const softmax = (logits: number[]) => {
      const top = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - top));
      const sum = e.reduce((a, b) => a + b);
      return e.map((v) => v / sum);
    };
    const fullKld = (p: number[], q: number[]) =>
      p.reduce((sum, pi, i) => sum + pi * Math.log(pi / (q[i] as number)), 0);
    /** The K most likely tokens of a distribution, as a position forcing `token`. */
    const truncated = (dist: number[], token: number, k: number) =>
      position(
        token,
        dist[token] as number,
        dist
          .map((p, t): [number, number] => [t, p])
          .sort((a, b) => b[1] - a[1])
          .slice(0, k),
      );

    const cases = Array.from({ length: 20 }, () => {
      const logits = Array.from({ length: vocab }, () => 4 * random());
      return {
        p: softmax(logits),
        q: softmax(logits.map((l) => l + random() - 0.5)),
        token: Math.floor(random() * vocab),
      };
    });

    it('is a lower bound that grows with K and reaches the full KLD', () => {
      for (const { p, q, token } of cases) {
        const full = fullKld(p, q);
        const byK = [1, 4, 16, 48, 63, 64].map((k) =>
          topKKld(truncated(p, token, k), truncated(q, token, k)),
        );
        for (let i = 1; i < byK.length; i += 1) {
          expect(byK[i]).toBeGreaterThanOrEqual((byK[i - 1] as number) - 1e-15);
        }
        expect(byK.at(-2)).toBeLessThanOrEqual(full + 1e-12);
        expect(byK.at(-1)).toBeCloseTo(full, 12);
        expect(byK[0]).toBeLessThan(full);
      }
    });

    it('also bounds the full KLD where the variant lists every token', () => {
      for (const { p, q, token } of cases) {
        const kld = topKKld(truncated(p, token, 8), truncated(q, token, vocab));
        expect(kld).toBeLessThanOrEqual(fullKld(p, q) + 1e-12);
      }
    });
  });
});

describe('compareWithReference', () => {
  // Three positions over a vocabulary of 4, top 2 listed each side; both list the same tokens.
  const reference = [
    position(2, 0.15, [
      [0, 0.5],
      [1, 0.3],
    ]),
    position(1, 0.7, [
      [1, 0.7],
      [0, 0.2],
    ]),
    position(2, 0.3, [
      [3, 0.6],
      [2, 0.3],
    ]),
  ];
  const variant = [
    position(2, 0.1, [
      [0, 0.4],
      [1, 0.4],
    ]),
    position(1, 0.7, [
      [1, 0.7],
      [0, 0.2],
    ]),
    position(2, 0.5, [
      [2, 0.5],
      [3, 0.4],
    ]),
  ];

  it("gives llama.cpp's figures, computed by hand", () => {
    const result = compareWithReference(reference, variant);
    expect(result.positions).toBe(3);
    // Per position: 0.0514296 (see topKKld), 0 (same distribution), and
    // .6 ln(.6/.4) + .3 ln(.3/.5) + .1 ln(.1/.1) = 0.0900314.
    expect(result.kld.mean).toBeCloseTo(0.04715364628163308, 12);
    expect(result.kld.median).toBeCloseTo(0.05142956110979794, 12);
    expect(result.kld.max).toBeCloseTo(0.09003137773510131, 12);
    // Index 0.99 · 2 = 1.98 of the sorted three: 98 % of the way from the median to the max.
    expect(result.kld.p99).toBeCloseTo(0.08925934140259524, 12);
    // Top tokens: 0 and 0 (the variant's tie goes to the one it lists first), 1 and 1, 3 and 2.
    expect(result.sameTop).toBeCloseTo(2 / 3, 12);
    // Δp: −.05, 0, +.2
    expect(result.deltaP.mean).toBeCloseTo(0.05, 12);
    expect(result.deltaP.rms).toBeCloseTo(0.11902380714238084, 12);
    // (.15 · .7 · .3)^(−⅓) and (.1 · .7 · .5)^(−⅓); their ratio is .9^(⅓).
    expect(result.perplexity.reference).toBeCloseTo(3.1663808386433216, 12);
    expect(result.perplexity.variant).toBeCloseTo(3.0571070873287987, 12);
    expect(result.perplexity.ratio).toBeCloseTo(0.9654893846056297, 12);
    expect(result.perplexity.meanLnRatio).toBeCloseTo(Math.log(0.9) / 3, 12);
  });

  it('is all zeros and ones for the reference against itself', () => {
    const result = compareWithReference(reference, reference);
    expect(result.kld).toEqual({ mean: 0, median: 0, p99: 0, max: 0 });
    expect(result.sameTop).toBe(1);
    expect(result.deltaP).toEqual({ mean: 0, rms: 0 });
    expect(result.perplexity.ratio).toBe(1);
  });

  it('refuses sequences that are not the same tokens, position by position', () => {
    const shifted = [variant[0], variant[2], variant[1]] as ScoredPosition[];
    expect(() => compareWithReference(reference, shifted)).toThrow(
      /position 1 has token 2 where the reference has 1/,
    );
    expect(() => compareWithReference(reference, variant.slice(1))).toThrow(
      /3 scored positions and the variant 2/,
    );
    expect(() => compareWithReference([], [])).toThrow(RangeError);
  });

  it('refuses a position that lists no top tokens', () => {
    const bare = variant.map((p) => ({ ...p, top: [] }));
    expect(() => compareWithReference(reference, bare)).toThrow(/variant lists no top tokens/);
  });
});
