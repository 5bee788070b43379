/**
 * The quantization ladder of stories260K (f32 → f16 → q8_0 → q4_0), scored natively on the
 * start of the lab's evaluation text: the full-vocabulary KLD must rank the quantizations, and
 * the app's top-K figures are measured against it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVALUATION_PROMPT, EVALUATION_TEXT } from '../../src/features/compare/evaluation-text.ts';
import { topKKld } from '../../src/features/compare/quality-metrics.ts';
import type { TokenScore } from '../../src/shared/engine-protocol.ts';
import { sharedModelsDir } from '../shared-dir.ts';
import {
  compareAtTopK,
  evenSpreadTopKKld,
  exactKld,
  exactKldSummary,
  renormalisedTopKKld,
  startNativeQuality,
  withTopK,
  type NativeQualityRuntime,
  type NativeScore,
  type NativeTokenization,
} from './native-quality.ts';

const LADDER = ['f32', 'f16', 'q8_0', 'q4_0'] as const;
type Quant = (typeof LADDER)[number];
const FORCED_TOKENS = 300;
const KS = [8, 32, 100] as const;

describe('native quality on the stories260K ladder', () => {
  let runtime: NativeQualityRuntime;
  let tokenization: NativeTokenization;
  let forced: number[];
  const scores = new Map<Quant, NativeScore>();
  const score = (quant: Quant) => scores.get(quant) as NativeScore;

  beforeAll(async () => {
    runtime = await startNativeQuality(2);
    for (const quant of LADDER) {
      const model = await runtime.open(join(sharedModelsDir(), `stories260K-chat-${quant}.gguf`));
      try {
        if (quant === 'f32') {
          tokenization = model.tokenize(EVALUATION_PROMPT, EVALUATION_TEXT);
          forced = (tokenization.textTokens ?? []).slice(0, FORCED_TOKENS);
        }
        // The whole vocabulary listed, so that any K can be cut from it.
        scores.set(quant, await model.score(EVALUATION_PROMPT, forced, model.vocabSize));
      } finally {
        await model.dispose();
      }
    }
  }, 60_000);

  afterAll(() => runtime.dispose());

  it('tokenizes the prompt as the start of the canonical tokens, BOS first', () => {
    expect(tokenization.promptTokens[0]).toBe(1);
    expect(tokenization.textTokens).not.toBeNull();
    expect(tokenization.canonicalTokens.length).toBe(
      tokenization.promptTokens.length + (tokenization.textTokens?.length ?? 0),
    );
    console.log(
      `stories260K: prompt ${tokenization.promptTokens.length} tokens (BOS included), ` +
        `prompt + evaluation text ${tokenization.canonicalTokens.length}`,
    );
  });

  it('scores every forced token with a whole, normalised distribution', () => {
    const { positions, promptTokens, vocabSize } = score('f32');
    expect(vocabSize).toBe(512);
    expect(promptTokens).toBe(tokenization.promptTokens.length);
    expect(positions.map((p) => p.token)).toEqual(forced);
    // The pieces put back together are the text itself.
    expect(EVALUATION_TEXT.startsWith(positions.map((p) => p.text).join(''))).toBe(true);
    for (const position of positions) {
      const sum = position.probabilities.reduce((a, b) => a + b, 0);
      expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
      expect(position.logprob).toBeCloseTo(Math.log(position.probabilities[position.token] ?? 0));
      expect(position.top[0]?.logprob).toBe(Math.log(Math.max(...position.probabilities)));
    }
  });

  it("equals the full KLD with the app's buckets when the whole vocabulary is listed", () => {
    for (const quant of LADDER.slice(1)) {
      score('f32').positions.forEach((position, i) => {
        const variant = score(quant).positions[i];
        if (!variant) throw new Error(`no ${quant} position ${i}`);
        // Apart from each side's float32 normalisation (sums of 1 ± 1e-6), which exactKld undoes.
        expect(Math.abs(topKKld(position, variant) - exactKld(position, variant))).toBeLessThan(
          3e-6,
        );
      });
    }
  });

  it('ranks the ladder by full-vocabulary KLD: f16 < q8_0 < q4_0, and f16 keeps the top token', () => {
    const reference = score('f32').positions;
    const kld = (quant: Quant) => exactKldSummary(reference, score(quant).positions).mean;
    expect(kld('f16')).toBeLessThan(kld('q8_0'));
    expect(kld('q8_0')).toBeLessThan(kld('q4_0'));
    expect(compareAtTopK(reference, score('f16').positions, 1).sameTop).toBeGreaterThanOrEqual(
      0.99,
    );
  });

  it('measures what top-K costs: a lower bound, within 10 % of the full KLD at K = 100', () => {
    const reference = score('f32').positions;
    const rows = LADDER.slice(1).map((quant) => {
      const variant = score(quant).positions;
      const full = exactKldSummary(reference, variant).mean;
      const byK = KS.map((k) => {
        const refK = withTopK(reference, k);
        const varK = withTopK(variant, k);
        const meanOf = (kld: (r: TokenScore, v: TokenScore) => number) =>
          refK.reduce((sum, r, i) => sum + kld(r, varK[i] as TokenScore), 0) / refK.length;
        return {
          k,
          app: compareAtTopK(reference, variant, k),
          renormalised: meanOf(renormalisedTopKKld),
          evenSpread: meanOf((r, v) => evenSpreadTopKKld(r, v, 512)),
        };
      });
      return { quant, full, byK };
    });

    console.log(
      [
        `KLD at top-K as a share of the full KLD (means over ${FORCED_TOKENS} positions, f32 reference)`,
        'quant | PPL | full KLD | same top | RMS Δp | ' +
          KS.map((k) => `K=${k}: app (renormalised, even spread)`).join(' | '),
        ...rows.map(({ quant, full, byK }) => {
          const app = byK.at(-1)?.app;
          return [
            quant,
            app?.perplexity.variant.toFixed(4),
            full.toExponential(3),
            `${((app?.sameTop ?? Number.NaN) * 100).toFixed(1)} %`,
            `${((app?.deltaP.rms ?? Number.NaN) * 100).toFixed(3)} %`,
            ...byK.map(
              ({ app: atK, renormalised, evenSpread }) =>
                `${percentOf(atK.kld.mean, full)} (${percentOf(renormalised, full)}, ${percentOf(evenSpread, full)})`,
            ),
          ].join(' | ');
        }),
        `f32 PPL ${rows[0]?.byK[0]?.app.perplexity.reference.toFixed(4)}`,
      ].join('\n'),
    );

    for (const { full, byK } of rows) {
      const means = byK.map(({ app }) => app.kld.mean);
      // Float32 normalisation noise aside (see above), never above the full KLD, growing with K.
      for (const mean of means) expect(mean).toBeLessThanOrEqual(full + 3e-6);
      for (let i = 1; i < means.length; i += 1) {
        expect(means[i]).toBeGreaterThanOrEqual(means[i - 1] as number);
      }
      expect(Math.abs((means.at(-1) as number) - full) / full).toBeLessThan(0.1);
    }
  });
});

/** `value` as a percentage of `full` (100 % = the full KLD). */
const percentOf = (value: number, full: number) => `${((value / full) * 100).toFixed(1)} %`;
