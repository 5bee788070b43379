import { ConfirmButton } from '../../../components/ui/confirm-button.tsx';
import { useLab, useLabStore } from '../lab-context.tsx';

/** Earlier comparisons on this device, to open again (offline too), export or delete. */
export function SavedRuns() {
  const lab = useLabStore();
  const saved = useLab((s) => s.saved);
  const shownId = useLab((s) => s.shown?.id ?? null);
  if (saved.length === 0) return null;
  return (
    <section className="lab-saved" aria-labelledby="lab-saved-title">
      <h3 id="lab-saved-title">Saved comparisons</h3>
      <ul className="plain">
        {saved.map((run) => {
          const when = new Date(run.startedAt).toLocaleString();
          const names = run.rows.map((row) => row.variant.label).join(', ');
          return (
            <li key={run.id}>
              <span>
                {when} · {names}
                {run.cancelled && ' (cancelled)'}
              </span>{' '}
              <button
                type="button"
                aria-label={`Open the comparison of ${when}`}
                disabled={run.id === shownId}
                onClick={() => lab.open(run.id)}
              >
                Open
              </button>{' '}
              <ConfirmButton
                label="Delete"
                confirmLabel="Delete it"
                cancelLabel="Keep"
                groupLabel={`Confirm deleting the comparison of ${when}`}
                onConfirm={() => void lab.remove(run.id)}
              />
            </li>
          );
        })}
      </ul>
    </section>
  );
}
