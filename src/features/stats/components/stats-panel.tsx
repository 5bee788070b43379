import type { Backend } from '../../../shared/engine-protocol.ts';
import { useRuns } from '../../../lib/engine-context.tsx';
import type { RunRecord } from '../../../lib/run-log.ts';
import { formatRate } from '../../../lib/format.ts';
import { runStats } from '../run-stats.ts';

const HISTORY = 8;

const backendName = (backend: Backend) =>
  backend.kind === 'webgpu' ? `WebGPU · ${backend.adapter}` : `CPU · ${backend.threads} thr`;
const rate = (value: number | null) => (value === null ? '–' : formatRate(value));
const ms = (value: number | null) => (value === null ? '–' : `${Math.round(value)} ms`);

/** Speed of the current and previous answers. The worker measures; this panel only displays. */
export function StatsPanel() {
  const runs = useRuns((r) => r);
  const latest = runs.at(-1);
  const previous = runs.slice(-HISTORY - 1, -1).reverse();

  return (
    <section aria-labelledby="stats-heading" className="panel stats">
      <h2 id="stats-heading">Speed</h2>
      {latest ? <LatestRun run={latest} /> : <p>Send a message to see tokens per second.</p>}
      {previous.length > 0 && (
        <table aria-label="Previous answers">
          <thead>
            <tr>
              <th scope="col">Prefill tok/s</th>
              <th scope="col">Decode tok/s</th>
              <th scope="col">First token</th>
              <th scope="col">Tokens in/out</th>
              <th scope="col">Backend</th>
            </tr>
          </thead>
          <tbody>
            {previous.map((run) => {
              const s = runStats(run);
              return (
                <tr key={run.id}>
                  <td>{rate(s.prefillTokensPerSecond)}</td>
                  <td>{rate(s.decodeTokensPerSecond)}</td>
                  <td>{ms(s.timeToFirstTokenMs)}</td>
                  <td>
                    {s.promptTokens ?? '–'}/{s.outputTokens}
                  </td>
                  <td>{backendName(run.backend)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function LatestRun({ run }: { run: RunRecord }) {
  const s = runStats(run);
  const running = run.endedAt === null;
  return (
    <dl className="facts" aria-label="Latest answer">
      {running && (
        <>
          <dt>Live decode tok/s</dt>
          <dd data-testid="live-decode">{rate(s.liveDecodeTokensPerSecond)}</dd>
        </>
      )}
      <dt>Prefill tok/s</dt>
      <dd data-testid="prefill-rate">{rate(s.prefillTokensPerSecond)}</dd>
      <dt>Decode tok/s</dt>
      <dd data-testid="decode-rate">{rate(s.decodeTokensPerSecond)}</dd>
      <dt>Time to first token</dt>
      <dd data-testid="ttft">{ms(s.timeToFirstTokenMs)}</dd>
      <dt>Prompt tokens</dt>
      <dd data-testid="prompt-tokens">{s.promptTokens ?? '–'}</dd>
      <dt>Output tokens</dt>
      <dd data-testid="output-tokens">{s.outputTokens}</dd>
      <dt>Engine</dt>
      <dd data-testid="engine">{run.engine === 'gguf' ? 'GGUF (llama.cpp)' : 'MLC (web-llm)'}</dd>
      <dt>Backend</dt>
      <dd data-testid="stats-backend">{backendName(run.backend)}</dd>
    </dl>
  );
}
