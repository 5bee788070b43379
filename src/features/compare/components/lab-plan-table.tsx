import { formatBytes } from '../../../lib/format.ts';
import type { LabPlan, StorageRoom } from '../lab-plan.ts';
import { useLab, useLabStore } from '../lab-context.tsx';

const sourceLabel = {
  catalog: 'catalog',
  'hugging-face': 'Hugging Face',
  stored: 'stored',
  url: 'URL',
  local: 'this device',
  mlc: 'MLC',
} as const;

/**
 * The picked variants before a run, in run order (the reference first): what each will download
 * (nothing when stored), the memory it needs, and the total against the browser's quota.
 */
export function LabPlanTable({ plan, room }: { plan: LabPlan; room: StorageRoom }) {
  const lab = useLabStore();
  const running = useLab((s) => s.running !== null);

  if (plan.rows.length === 0) return <p className="muted">No variants picked yet.</p>;
  return (
    <div className="lab-plan">
      <table aria-label="Variants to compare">
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">From</th>
            <th scope="col">Download</th>
            <th scope="col">Memory (estimate)</th>
            <th scope="col">
              <span className="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {plan.rows.map((row, index) => (
            <tr key={row.variant.label + String(index)}>
              <th scope="row">
                {row.variant.label}
                {index === 0 && <span className="badge">reference</span>}
              </th>
              <td>{sourceLabel[row.variant.source]}</td>
              <td>
                {row.stored === 'complete'
                  ? 'stored'
                  : row.downloadBytes === null
                    ? 'size unknown'
                    : formatBytes(row.downloadBytes) + (row.stored === 'partial' ? ' (rest)' : '')}
              </td>
              <td>
                {row.memory ? formatBytes(row.memory.totalBytes) : '–'}
                {row.verdict && !row.verdict.likelyFits && (
                  <span className="warning"> · may not fit ({row.verdict.limit})</span>
                )}
              </td>
              <td>
                <button
                  type="button"
                  disabled={running}
                  aria-label={`Remove ${row.variant.label}`}
                  onClick={() => lab.unpick(row.variant)}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        To download: <strong>{formatBytes(plan.totalDownloadBytes)}</strong>
        {plan.unknownSizes > 0 && ` plus ${plan.unknownSizes} of unknown size`}
        {room.quotaBytes !== null &&
          room.usageBytes !== null &&
          ` · the browser allows ${formatBytes(Math.max(0, room.quotaBytes - room.usageBytes))} more`}
        . The most precise variant goes first: it is the reference the others are compared with.
      </p>
      {plan.refusal && <p className="field-problem">{plan.refusal}</p>}
    </div>
  );
}
