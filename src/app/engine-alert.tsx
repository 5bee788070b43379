import type { EngineError } from '../shared/engine-protocol.ts';
import { useEngineStore, useEngineValue } from '../lib/engine-context.tsx';
import { errorMessage } from '../lib/error-messages.ts';

/** The next step a failed download offers: continue it, or fetch a wrong file again. */
function retryAction(error: EngineError): 'Resume' | 'Download again' | null {
  switch (error.kind) {
    case 'download-incomplete':
    case 'storage-full':
      return 'Resume';
    case 'checksum-mismatch':
    case 'size-mismatch':
    case 'truncated-file':
    case 'download-failed':
      return 'Download again';
    default:
      return null;
  }
}

/** A failed load (or a failure that unloaded the model): what happened and what to do next. */
export function EngineAlert() {
  const state = useEngineValue((s) => s.state);
  const engine = useEngineStore();
  if (state.status !== 'error') return null;
  const message = errorMessage(state.error);
  const retry = state.spec ? retryAction(state.error) : null;
  const spec = state.spec;
  return (
    <div role="alert" className="alert engine-alert">
      <p className="alert-title">{message.title}</p>
      <p>{message.action}</p>
      {retry && spec && (
        <button type="button" onClick={() => void engine.load(spec)}>
          {retry}
        </button>
      )}
      <button type="button" onClick={() => engine.dismissError()}>
        Dismiss
      </button>
    </div>
  );
}
