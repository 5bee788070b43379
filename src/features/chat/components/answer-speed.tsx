import { useMemo } from 'react';
import { LineChart } from '../../../components/ui/line-chart.tsx';
import { useRuns } from '../../../lib/engine-context.tsx';
import { formatMilliseconds, formatRate } from '../../../lib/format.ts';
import type { RunRecord } from '../../../lib/run-log.ts';
import { engineRates, perSecond, rateSeries } from '../../../lib/speed.ts';
import type { ChatMessage, MessageTimings } from '../chat-archive.ts';

const rate = (value: number | null) => (value === null ? '–' : formatRate(value));
const time = (ms: number | null) => (ms === null ? '–' : formatMilliseconds(ms));

/**
 * Speed where the reader looks: under a streaming answer its live rate and a chart of tokens per
 * second over the answer; under a finished one, decode speed, time to first token and tokens,
 * with the rest of its numbers one click away. The worker measured; this only displays.
 */
export function AnswerSpeed({ message }: { message: ChatMessage }) {
  if (message.status === 'streaming') return <LiveSpeed />;
  if (!message.timings) return null;
  return <SpeedDetails timings={message.timings} model={message.model?.label ?? null} />;
}

/** The run being streamed now (there is at most one), or null. */
const running = (runs: readonly RunRecord[]) => {
  const run = runs.at(-1);
  return run && run.endedAt === null ? run : null;
};

function LiveSpeed() {
  const run = useRuns(running);
  // A new array only when a sample is added (a few times a second), not on every token.
  const samples = run?.samples;
  const series = useMemo(
    () => [
      {
        label: 'tokens per second',
        points: rateSeries(samples ?? []).map((p) => ({ x: p.seconds, y: p.tokensPerSecond })),
      },
    ],
    [samples],
  );
  if (!run) return null;
  const live =
    run.firstTokenAt !== null && run.lastTokenAt !== null
      ? perSecond(run.tokensReceived - 1, run.lastTokenAt - run.firstTokenAt)
      : null;
  return (
    // Inside the conversation's live region, a number that changes every frame must stay quiet.
    <div className="answer-speed live" aria-live="off">
      <p className="speed-line">
        <span data-testid="live-decode">{rate(live)}</span> tok/s · {run.tokensReceived} tokens
      </p>
      <LineChart
        className="speed-chart"
        label="Tokens per second over this answer"
        series={series}
      />
    </div>
  );
}

function SpeedDetails({ timings, model }: { timings: MessageTimings; model: string | null }) {
  const { decode, prefill } = engineRates(timings);
  return (
    <details className="answer-speed">
      <summary>
        {rate(decode)} tok/s · {time(timings.timeToFirstTokenMs)} to first token ·{' '}
        {timings.outputTokens} tokens
      </summary>
      <dl className="facts" aria-label="Speed of this answer">
        <dt>Decode tok/s</dt>
        <dd data-testid="decode-rate">{rate(decode)}</dd>
        <dt>Prefill tok/s</dt>
        <dd data-testid="prefill-rate">{rate(prefill)}</dd>
        <dt>Time to first token</dt>
        <dd data-testid="ttft">{time(timings.timeToFirstTokenMs)}</dd>
        <dt>Prompt tokens</dt>
        <dd data-testid="prompt-tokens">{timings.promptTokens || '–'}</dd>
        <dt>Output tokens</dt>
        <dd data-testid="output-tokens">{timings.outputTokens}</dd>
        {model !== null && (
          <>
            <dt>Model</dt>
            <dd>{model}</dd>
          </>
        )}
      </dl>
    </details>
  );
}
