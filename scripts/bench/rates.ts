/** Prefill and decode rates of one answer, as seen by the user and by llama.cpp itself. */
import type { AnswerTiming } from './app-driver.ts';
import type { GenerationTiming } from './raw-engine/raw-engine-api.ts';
import type { Figure } from './report.ts';
import { summarize } from '../../src/shared/summary.ts';
import { pairedRatio } from './stats.ts';

export interface RateRun {
  /** As seen on screen (app) or in the stream callback (raw). */
  decode: number;
  prefill: number;
  /** llama.cpp's own timings: apart from the rates above, they leave out every hop to the screen. */
  engineDecode: number;
  enginePrefill: number;
  outputTokens: number;
  promptTokens: number;
}

export const rawRates = (run: GenerationTiming): RateRun => {
  const output = run.engine?.outputTokens ?? run.pieces;
  const prompt = run.engine?.promptTokens ?? Number.NaN;
  return {
    decode: (output - 1) / (run.streamMs / 1000),
    prefill: prompt / (run.firstTokenMs / 1000),
    engineDecode: run.engine ? run.engine.outputTokens / (run.engine.decodeMs / 1000) : Number.NaN,
    enginePrefill: run.engine
      ? run.engine.promptTokens / (run.engine.prefillMs / 1000)
      : Number.NaN,
    outputTokens: output,
    promptTokens: prompt,
  };
};

export const appRates = (t: AnswerTiming): RateRun => ({
  decode: (t.outputTokens - 1) / (t.streamMs / 1000),
  prefill: t.promptTokens / (t.firstTokenMs / 1000),
  engineDecode: t.panelDecodeRate,
  enginePrefill: t.panelPrefillRate,
  outputTokens: t.outputTokens,
  promptTokens: t.promptTokens,
});

export const rates = (runs: readonly RateRun[], key: keyof RateRun) => runs.map((r) => r[key]);

/** A decode row and a prefill row (tok/s): subject against baseline, paired run by run. */
export function rateRows(
  subject: readonly RateRun[],
  baseline: readonly RateRun[],
  {
    item,
    what,
    baselineName,
    target,
    keys = { decode: 'decode', prefill: 'prefill' },
  }: {
    item: number;
    what: (rate: 'decode' | 'prefill') => string;
    baselineName: string;
    target: Figure['target'];
    /** Which measurement each row uses (the screen's, or llama.cpp's own timings). */
    keys?: { decode: keyof RateRun; prefill: keyof RateRun };
  },
): Figure[] {
  return (['decode', 'prefill'] as const).map((rate) => {
    const a = rates(subject, keys[rate]);
    const b = rates(baseline, keys[rate]);
    return {
      item,
      what: what(rate),
      unit: 'tok/s',
      subject: summarize(a),
      baselineName,
      baseline: summarize(b),
      ratio: pairedRatio(a, b),
      target,
    };
  });
}
