import type { RunRecord } from '../../lib/run-log.ts';

export interface RunStats {
  /** Prompt tokens processed per second (engine timing). */
  prefillTokensPerSecond: number | null;
  /** Tokens generated per second after the first (engine timing). */
  decodeTokensPerSecond: number | null;
  /** From the UI sending the request to the first token arriving back in the UI. */
  timeToFirstTokenMs: number | null;
  promptTokens: number | null;
  outputTokens: number;
  /** While streaming: tokens arrived per second since the first one, as the UI sees them. */
  liveDecodeTokensPerSecond: number | null;
}

const perSecond = (count: number, ms: number) => (count > 0 && ms > 0 ? (count / ms) * 1000 : null);

export function runStats(run: RunRecord): RunStats {
  const m = run.measurements;
  const streamedMs =
    run.firstTokenAt !== null && run.lastTokenAt !== null ? run.lastTokenAt - run.firstTokenAt : 0;
  return {
    prefillTokensPerSecond: m ? perSecond(m.promptTokens, m.prefillMs) : null,
    decodeTokensPerSecond: m ? perSecond(m.outputTokens, m.decodeMs) : null,
    timeToFirstTokenMs: run.firstTokenAt !== null ? run.firstTokenAt - run.sentAt : null,
    promptTokens: m && m.promptTokens > 0 ? m.promptTokens : null,
    outputTokens: m ? m.outputTokens : run.tokensReceived,
    // n tokens arrive over n-1 intervals.
    liveDecodeTokensPerSecond: perSecond(run.tokensReceived - 1, streamedMs),
  };
}
