import type { RunRecord } from '../../lib/run-log.ts';
import { engineRates, perSecond } from '../../lib/speed.ts';

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

export function runStats(run: RunRecord): RunStats {
  const m = run.measurements;
  const streamedMs =
    run.firstTokenAt !== null && run.lastTokenAt !== null ? run.lastTokenAt - run.firstTokenAt : 0;
  const rates = m ? engineRates(m) : null;
  return {
    prefillTokensPerSecond: rates?.prefill ?? null,
    decodeTokensPerSecond: rates?.decode ?? null,
    timeToFirstTokenMs: run.firstTokenAt !== null ? run.firstTokenAt - run.sentAt : null,
    promptTokens: m && m.promptTokens > 0 ? m.promptTokens : null,
    outputTokens: m ? m.outputTokens : run.tokensReceived,
    // n tokens arrive over n-1 intervals.
    liveDecodeTokensPerSecond: perSecond(run.tokensReceived - 1, streamedMs),
  };
}
