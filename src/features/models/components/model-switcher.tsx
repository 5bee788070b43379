import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Backend, LoadedModel, StoredModel } from '../../../shared/engine-protocol.ts';
import { useEngineStore, useEngineValue } from '../../../lib/engine-context.tsx';
import { loadedModel } from '../../../lib/engine-lifecycle.ts';
import { mayLoad } from '../../../lib/engine-store.ts';
import { formatBytes } from '../../../lib/format.ts';
import { viewHref } from '../../../lib/routes.ts';
import { modelKey, modelLabel, sameModel } from '../../../shared/model-keys.ts';
import { downloadFigures } from '../download-progress.ts';

const backendLabel = (backend: Backend) =>
  backend.kind === 'webgpu'
    ? `WebGPU (${backend.adapter})`
    : `CPU (${backend.threads} thread${backend.threads === 1 ? '' : 's'})`;

/**
 * The top bar's model control: which model is loaded and where it really runs (the backend the
 * engine reported, not the one asked for), what the engine is doing (download, load, failure),
 * and a menu of the stored models to switch to without leaving the chat.
 */
export function ModelSwitcher() {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const menuId = useId();

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) trigger.current?.focus();
  };

  // A click anywhere else closes the menu, as menus do.
  useEffect(() => {
    if (!open) return;
    const outside = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [open]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || !open) return;
    // Handled here: Esc must not also stop an answer that is streaming.
    event.preventDefault();
    event.stopPropagation();
    close(true);
  };

  return (
    <div className="model-switcher" ref={root} onKeyDown={onKeyDown}>
      {/* A pointer may also tap the model's name; the button is the control for everyone. */}
      <div className="switcher-summary" onClick={() => setOpen((was) => !was)}>
        <ModelStatus />
        <EngineActivity />
      </div>
      <button
        ref={trigger}
        type="button"
        className="switcher-button"
        aria-expanded={open}
        aria-controls={menuId}
        aria-haspopup="dialog"
        onClick={() => setOpen((was) => !was)}
      >
        <span className="switcher-button-text">Switch model</span>
        <span aria-hidden="true"> ▾</span>
      </button>
      {open && <SwitcherMenu id={menuId} onDone={() => close(true)} />}
    </div>
  );
}

/** The loaded model, in one line and a line of facts; only ever names a model that is loaded. */
function ModelStatus() {
  const model = useEngineValue((s) => loadedModel(s.state));
  const starting = useEngineValue((s) => s.state.status === 'starting');
  return (
    <p role="status" aria-label="Loaded model" className="model-status">
      {starting ? (
        'Checking what this browser can run…'
      ) : model ? (
        <LoadedFacts model={model} />
      ) : (
        'No model loaded.'
      )}
    </p>
  );
}

function LoadedFacts({ model }: { model: LoadedModel }) {
  return (
    <>
      <span className="model-name">{model.name}</span>{' '}
      <span className="chip" data-testid="backend">
        {backendLabel(model.backend)}
      </span>
      <span className="model-facts">
        {' · '}
        {model.spec.engine === 'gguf' ? 'GGUF' : 'MLC'} · context {model.contextSize} tokens
        {model.sizeBytes !== null && ` · ${formatBytes(model.sizeBytes)}`}
        {model.fromStorage && ' · loaded from this device'}
      </span>
    </>
  );
}

/** What the engine is doing besides holding a model: a download, a load, a failure, a holder. */
function EngineActivity() {
  const state = useEngineValue((s) => s.state);
  const heldBy = useEngineValue((s) => s.heldBy);
  if (heldBy) return <p className="switcher-activity">In use by {heldBy}: chat and loads wait.</p>;
  switch (state.status) {
    case 'downloading': {
      const { percent } = downloadFigures(state.download);
      const label = modelLabel(state.spec);
      return (
        <p className="switcher-activity">
          <span className="activity-text">Downloading {label}</span>
          <progress aria-label="Model download" max={100} value={percent ?? undefined} />
        </p>
      );
    }
    case 'loading':
      return (
        <p className="switcher-activity">
          <span className="activity-text">Loading {modelLabel(state.spec)}…</span>
          <progress aria-label="Model load" />
        </p>
      );
    case 'error':
      return <p className="switcher-activity failed">The last load failed (see below).</p>;
    case 'unsupported':
      return <p className="switcher-activity failed">Models cannot run in this browser.</p>;
    default:
      return null;
  }
}

const byRecentUse = (a: StoredModel, b: StoredModel) =>
  (b.lastUsedAt ?? b.storedAt) - (a.lastUsedAt ?? a.storedAt);

/** The stored models to switch to, and the way to every other model. */
function SwitcherMenu({ id, onDone }: { id: string; onDone: () => void }) {
  const everything = useEngineValue((s) => s.stored);
  const busy = useEngineValue((s) => !mayLoad(s));
  const loading = useEngineValue(
    (s) => s.state.status === 'downloading' || s.state.status === 'loading',
  );
  const current = useEngineValue((s) => loadedModel(s.state)?.spec ?? null);
  const engine = useEngineStore();
  const stored = useMemo(
    () => everything.filter((m) => m.status === 'complete').sort(byRecentUse),
    [everything],
  );
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    menu.current?.querySelector<HTMLElement>('button:not(:disabled), a')?.focus();
  }, []);

  return (
    <div id={id} ref={menu} role="dialog" aria-label="Switch model" className="switcher-menu">
      {stored.length > 0 ? (
        <ul aria-label="Models on this device" className="switcher-list">
          {stored.map((model) => {
            const label = modelLabel(model.spec);
            const isCurrent = current !== null && sameModel(current, model.spec);
            return (
              <li key={modelKey(model.spec)}>
                <button
                  type="button"
                  aria-label={`Switch to ${label}`}
                  aria-current={isCurrent ? 'true' : undefined}
                  disabled={busy || isCurrent}
                  onClick={() => {
                    void engine.load(model.spec);
                    onDone();
                  }}
                >
                  <span className="name">{label}</span>
                  <span className="size">
                    {isCurrent
                      ? 'loaded'
                      : model.sizeBytes !== null
                        ? formatBytes(model.sizeBytes)
                        : model.spec.engine.toUpperCase()}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="hint">No models on this device yet.</p>
      )}
      {loading && (
        <button type="button" className="secondary" onClick={() => engine.cancelLoad()}>
          Cancel the load
        </button>
      )}
      <a href={viewHref.models} onClick={onDone}>
        Browse and add models
      </a>
    </div>
  );
}
