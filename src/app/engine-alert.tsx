import { useEngineStore, useEngineValue } from '../lib/engine-context.tsx';
import { errorMessage } from '../lib/error-messages.ts';

/** A failed load (or a failure that unloaded the model): what happened and what to do next. */
export function EngineAlert() {
  const state = useEngineValue((s) => s.state);
  const engine = useEngineStore();
  if (state.status !== 'error') return null;
  const message = errorMessage(state.error);
  return (
    <div role="alert" className="alert engine-alert">
      <p className="alert-title">{message.title}</p>
      <p>{message.action}</p>
      <button type="button" onClick={() => engine.dismissError()}>
        Dismiss
      </button>
    </div>
  );
}
