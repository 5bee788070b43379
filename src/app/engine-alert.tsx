import { useEngineStore, useEngineValue, usePreferenceStore } from '../lib/engine-context.tsx';
import { errorMessage, errorRecovery, type Recovery } from '../lib/error-messages.ts';

const recoveryLabel: Record<Exclude<Recovery, 'none'>, string> = {
  resume: 'Resume',
  'download-again': 'Download again',
  'reload-model': 'Reload model',
  'reload-on-cpu': 'Load on the CPU',
};

/** A failed load (or a failure that unloaded the model): what happened and what to do next. */
export function EngineAlert() {
  const state = useEngineValue((s) => s.state);
  const engine = useEngineStore();
  const preferences = usePreferenceStore();
  if (state.status !== 'error') return null;
  const message = errorMessage(state.error);
  const recovery = errorRecovery(state.error);
  // A lost device or a failed load names no spec when the model was already loaded.
  const spec = state.spec ?? state.model?.spec ?? null;

  const recover = async () => {
    if (!spec) return;
    if (recovery === 'reload-on-cpu') await preferences.update({ backend: 'cpu' });
    await engine.load(spec);
  };

  return (
    <div role="alert" className="alert engine-alert">
      <p className="alert-title">{message.title}</p>
      <p>{message.action}</p>
      {state.attempt > 1 && (
        <p className="alert-attempt">
          Attempt {state.attempt}: this model has failed to load {state.attempt} times in a row.
        </p>
      )}
      {recovery !== 'none' && spec && (
        <button type="button" onClick={() => void recover()}>
          {recoveryLabel[recovery]}
        </button>
      )}
      <button type="button" onClick={() => engine.dismissError()}>
        Dismiss
      </button>
    </div>
  );
}
