import type { Backend } from '../../../shared/engine-protocol.ts';
import { useRuns } from '../../../lib/engine-context.tsx';
import { formatMilliseconds, formatRate } from '../../../lib/format.ts';
import { runStats } from '../run-stats.ts';

const HISTORY = 10;

const backendName = (backend: Backend) =>
  backend.kind === 'webgpu' ? `WebGPU · ${backend.adapter}` : `CPU · ${backend.threads} thr`;
const rate = (value: number | null) => (value === null ? '–' : formatRate(value));
const ms = (value: number | null) => (value === null ? '–' : formatMilliseconds(value));

/**
 * The recent answers of this session side by side, with the engine and the backend that ran
 * each (every answer also shows its own numbers under it). The worker measures; this only
 * displays.
 */
export function StatsPanel() {
  const runs = useRuns((r) => r);
  const finished = runs
    .filter((run) => run.endedAt !== null)
    .slice(-HISTORY)
    .reverse();

  return (
    <section aria-labelledby="stats-heading" className="stats">
      <h2 id="stats-heading" className="visually-hidden">
        Speed
      </h2>
      {finished.length === 0 ? (
        <p className="hint">Send a message to see tokens per second.</p>
      ) : (
        <div className="table-scroll">
          <table aria-label="Recent answers">
            <thead>
              <tr>
                <th scope="col">Decode tok/s</th>
                <th scope="col">Prefill tok/s</th>
                <th scope="col">First token</th>
                <th scope="col">Tokens in/out</th>
                <th scope="col">Engine</th>
                <th scope="col">Backend</th>
              </tr>
            </thead>
            <tbody>
              {finished.map((run) => {
                const s = runStats(run);
                return (
                  <tr key={run.id}>
                    <td>{rate(s.decodeTokensPerSecond)}</td>
                    <td>{rate(s.prefillTokensPerSecond)}</td>
                    <td>{ms(s.timeToFirstTokenMs)}</td>
                    <td>
                      {s.promptTokens ?? '–'}/{s.outputTokens}
                    </td>
                    <td>{run.engine === 'gguf' ? 'GGUF' : 'MLC'}</td>
                    <td>{backendName(run.backend)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
