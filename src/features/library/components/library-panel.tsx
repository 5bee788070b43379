import { useState } from 'react';
import { ConfirmButton } from '../../../components/ui/confirm-button.tsx';
import type { EngineError, ModelSpec, StoredModel } from '../../../shared/engine-protocol.ts';
import { useEngineStore, useEngineValue } from '../../../lib/engine-context.tsx';
import { mayLoad } from '../../../lib/engine-store.ts';
import { errorMessage } from '../../../lib/error-messages.ts';
import { formatBytes, formatCount } from '../../../lib/format.ts';
import { modelKey, modelLabel } from '../../../shared/model-keys.ts';
import { useStorageFacts } from '../../../lib/storage-estimate.ts';

const dateOf = (at: number) => new Date(at).toLocaleString();

/**
 * Every model in this browser's storage, complete or partial: size, quantization, when it was
 * stored and last used; load, resume, delete one or all; the browser's quota and whether storage
 * is persistent.
 */
export function LibraryPanel() {
  const stored = useEngineValue((s) => s.stored);
  const busy = useEngineValue((s) => !mayLoad(s));
  const engine = useEngineStore();
  const facts = useStorageFacts(stored);
  const [problem, setProblem] = useState<EngineError | null>(null);
  const totalBytes = stored.reduce((sum, model) => sum + (model.storedBytes ?? 0), 0);

  const remove = async (specs: ModelSpec[]) => {
    setProblem(null);
    const outcome = await engine.deleteStored(specs);
    if (!outcome.ok) setProblem(outcome.error);
  };

  return (
    <section aria-labelledby="library-heading" className="panel library">
      <h2 id="library-heading">Library</h2>
      <dl className="storage-facts">
        <dt>Models stored</dt>
        <dd data-testid="library-total">{formatBytes(totalBytes)}</dd>
        <dt>Origin usage</dt>
        <dd data-testid="storage-usage">
          {facts.usageBytes !== null ? formatBytes(facts.usageBytes) : 'unknown'}
        </dd>
        <dt>Quota</dt>
        <dd data-testid="storage-quota">
          {facts.quotaBytes !== null ? formatBytes(facts.quotaBytes) : 'unknown'}
        </dd>
        <dt>Persistent storage</dt>
        <dd>
          {facts.persisted === null
            ? 'unknown'
            : facts.persisted
              ? 'granted'
              : 'not granted (the browser may evict models when space runs low)'}
        </dd>
      </dl>
      {problem && (
        <p role="alert" className="field-problem">
          {errorMessage(problem).title} {errorMessage(problem).action}
        </p>
      )}
      {stored.length === 0 ? (
        <p className="muted">No models stored yet.</p>
      ) : (
        <>
          <ul className="library-list" aria-label="Stored models">
            {stored.map((model) => (
              <LibraryRow
                key={modelKey(model.spec)}
                model={model}
                busy={busy}
                onLoad={() => void engine.load(model.spec)}
                onDelete={() => void remove([model.spec])}
              />
            ))}
          </ul>
          <ConfirmButton
            label="Delete all models"
            confirmLabel={`Delete ${formatCount(stored.length, 'model')}`}
            cancelLabel="Keep them"
            groupLabel="Confirm deleting all models"
            disabled={busy}
            onConfirm={() => void remove(stored.map((m) => m.spec))}
          />
        </>
      )}
    </section>
  );
}

function LibraryRow({
  model,
  busy,
  onLoad,
  onDelete,
}: {
  model: StoredModel;
  busy: boolean;
  onLoad: () => void;
  onDelete: () => void;
}) {
  const name = modelLabel(model.spec);
  const partial = model.status === 'partial';
  // A download cut before its first chunk was kept has nothing to resume: it starts over.
  const nothingKept = partial && model.storedBytes === 0;
  const loadLabel = nothingKept ? 'Download' : partial ? 'Resume' : 'Load';
  const size = nothingKept
    ? `nothing stored yet${model.sizeBytes ? ` of ${formatBytes(model.sizeBytes)}` : ''}`
    : partial && model.storedBytes !== null
      ? `${formatBytes(model.storedBytes)}${
          model.sizeBytes ? ` of ${formatBytes(model.sizeBytes)}` : ''
        } stored`
      : model.storedBytes !== null
        ? `${model.spec.engine === 'mlc' ? '≈ ' : ''}${formatBytes(model.storedBytes)}`
        : 'size unknown';
  return (
    <li aria-label={name} data-status={model.status}>
      <span className="name">{name}</span>
      <span className="facts">
        {[
          model.spec.engine.toUpperCase(),
          model.quantization,
          size,
          `stored ${dateOf(model.storedAt)}`,
          model.lastUsedAt ? `last used ${dateOf(model.lastUsedAt)}` : 'never used',
        ]
          .filter(Boolean)
          .join(' · ')}
      </span>
      {partial && <span className="badge">partial download</span>}
      <span className="actions">
        <button type="button" disabled={busy} onClick={onLoad} aria-label={`${loadLabel} ${name}`}>
          {loadLabel}
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={onDelete}
          aria-label={`${partial ? 'Discard' : 'Delete'} ${name}`}
        >
          {partial ? 'Discard' : 'Delete'}
        </button>
      </span>
    </li>
  );
}
