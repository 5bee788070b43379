import { useMemo } from 'react';
import type { ModelSpec } from '../../../shared/engine-protocol.ts';
import {
  useEngineStore,
  useEngineValue,
  usePreference,
  useStartOutcome,
} from '../../../lib/engine-context.tsx';
import { loadedModel } from '../../../lib/engine-lifecycle.ts';
import { mayLoad } from '../../../lib/engine-store.ts';
import { formatBytes } from '../../../lib/format.ts';
import { viewHref } from '../../../lib/routes.ts';
import { freeBytes, useStorageFacts } from '../../../lib/storage-estimate.ts';
import { modelKey, modelLabel } from '../../../shared/model-keys.ts';
import { chooseDefaultModel } from '../default-model.ts';
import { ggufCatalog } from '../gguf-catalog.ts';
import { LoadProgress } from './load-progress.tsx';

/** How many stored models the card offers to load (the rest are a link away). */
const RECENT = 3;

/**
 * Shown above the composer while no model is loaded: on first run one "Start chatting" button
 * with a model suited to this device, its size and why it was chosen; later, the stored models
 * to continue with; while a model downloads or loads, its progress.
 */
export function StartCard() {
  const hasModel = useEngineValue((s) => loadedModel(s.state) !== null);
  const status = useEngineValue((s) => s.state.status);
  const unsupported = useEngineValue((s) =>
    s.state.status === 'unsupported' ? s.state.reason : null,
  );
  const started = useStartOutcome();

  if (hasModel || status === 'starting') return null;
  if (unsupported !== null) {
    return (
      <section className="start-card" aria-label="Start">
        <p className="alert">
          {unsupported} Models cannot run here; a recent Chrome, Edge or Chromium can.
        </p>
      </section>
    );
  }
  if (status === 'downloading' || status === 'loading') {
    return (
      <section className="start-card" aria-label="Start">
        <LoadProgress />
      </section>
    );
  }
  // The last model is about to be reopened: no offer to download another meanwhile.
  if (started === null) return null;
  return <Offer />;
}

function Offer() {
  const stored = useEngineValue((s) => s.stored);
  const device = useEngineValue((s) => s.device);
  const busy = useEngineValue((s) => !mayLoad(s));
  const engine = useEngineStore();
  const autoLoad = usePreference('autoLoadLast');
  const last = usePreference('lastModel');
  const facts = useStorageFacts(stored);

  const complete = useMemo(
    () =>
      stored
        .filter((m) => m.status === 'complete')
        .sort((a, b) => (b.lastUsedAt ?? b.storedAt) - (a.lastUsedAt ?? a.storedAt)),
    [stored],
  );
  const choice = useMemo(
    () => chooseDefaultModel(device, freeBytes(facts), ggufCatalog),
    [device, facts],
  );
  const lastMissing =
    autoLoad && last !== null && !complete.some((m) => modelKey(m.spec) === last.key);
  const load = (spec: ModelSpec) => void engine.load(spec);

  return (
    <section className="start-card" aria-labelledby="start-heading">
      {lastMissing && (
        <p className="note">
          Your last model, {last.label}, is no longer stored on this device, so it was not opened
          again.
        </p>
      )}
      {complete.length > 0 ? (
        <>
          <h2 id="start-heading">Continue with a model on this device</h2>
          <ul className="start-models">
            {complete.slice(0, RECENT).map((model) => (
              <li key={modelKey(model.spec)}>
                <button type="button" disabled={busy} onClick={() => load(model.spec)}>
                  Load {modelLabel(model.spec)}
                </button>
              </li>
            ))}
          </ul>
          <a href={viewHref.models}>All models</a>
        </>
      ) : (
        <>
          <h2 id="start-heading">Start chatting</h2>
          {choice.entry ? (
            <>
              <p className="start-choice">
                <strong>
                  {choice.entry.family} {choice.entry.quantization}
                </strong>{' '}
                · {formatBytes(choice.entry.approxBytes)} download, stored in this browser
              </p>
              <p className="hint" data-testid="start-reason">
                {choice.reason}
              </p>
              <div className="actions">
                <button
                  type="button"
                  className="primary"
                  disabled={busy}
                  onClick={() => {
                    const { entry } = choice;
                    load({
                      engine: 'gguf',
                      url: entry.url,
                      label: `${entry.family} ${entry.quantization}`,
                    });
                  }}
                >
                  Start chatting
                </button>
                <a href={viewHref.models}>Choose another model</a>
              </div>
            </>
          ) : (
            <>
              <p className="hint" data-testid="start-reason">
                {choice.reason}
              </p>
              <a href={viewHref.models}>Add a model</a>
            </>
          )}
        </>
      )}
    </section>
  );
}
