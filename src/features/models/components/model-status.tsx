import type { Backend } from '../../../shared/engine-protocol.ts';
import { useEngineValue } from '../../../lib/engine-context.tsx';
import { loadedModel } from '../../../lib/engine-lifecycle.ts';
import { formatBytes } from '../../../lib/format.ts';

const backendLabel = (backend: Backend) =>
  backend.kind === 'webgpu'
    ? `WebGPU (${backend.adapter})`
    : `CPU (${backend.threads} thread${backend.threads === 1 ? '' : 's'})`;

/** Which model is loaded and where it really runs (the backend llama.cpp reported, not the one asked for). */
export function ModelStatus() {
  const model = useEngineValue((s) => loadedModel(s.state));
  const heldBy = useEngineValue((s) => s.heldBy);
  return (
    <p role="status" aria-label="Loaded model" className="model-status">
      {heldBy && (
        <span className="held">In use by {heldBy}: chat and loads wait until it ends. </span>
      )}
      {model ? (
        <>
          <strong>{model.name}</strong> · {model.spec.engine === 'gguf' ? 'GGUF' : 'MLC'} on{' '}
          <span data-testid="backend">{backendLabel(model.backend)}</span> · context{' '}
          {model.contextSize} tokens
          {model.sizeBytes !== null && ` · ${formatBytes(model.sizeBytes)}`}
          {model.fromStorage && ' · loaded from this device'}
        </>
      ) : (
        'No model loaded.'
      )}
    </p>
  );
}
