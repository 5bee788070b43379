import type { BackendPreference } from '../../../shared/engine-protocol.ts';
import { usePreference, usePreferenceStore } from '../../../lib/engine-context.tsx';

/** Where GGUF models run: a persisted preference that every load reads, from any view. */
export function BackendSetting() {
  const backend = usePreference('backend');
  const preferences = usePreferenceStore();
  return (
    <div className="field">
      <label htmlFor="gguf-backend">GGUF backend</label>
      <select
        id="gguf-backend"
        value={backend}
        aria-describedby="gguf-backend-hint"
        onChange={(e) => void preferences.update({ backend: e.target.value as BackendPreference })}
      >
        <option value="auto">Auto (WebGPU where possible)</option>
        <option value="cpu">CPU only (WebAssembly)</option>
      </select>
      <p id="gguf-backend-hint" className="hint">
        Auto uses WebGPU when this GPU can run the model, else the CPU. MLC models always use
        WebGPU.
      </p>
    </div>
  );
}
