import { useEngineStore, useEngineValue, usePreferenceStore } from '../lib/engine-context.tsx';
import { errorMessage, errorRecovery, type Recovery } from '../lib/error-messages.ts';

const recoveryLabel: Record<Exclude<Recovery, 'none'>, string> = {
  resume: 'Resume',
  'download-again': 'Download again',
  'reload-model': 'Reload model',
  'reload-on-cpu': 'Load on the CPU',
  'smaller-context': 'Load with a smaller context',
  'load-anyway': 'Load anyway',
};

/**
 * A failed load (or a failure that unloaded the model): what happened and what to do next. Also
 * the warning before a load that other tabs' models leave too little memory for.
 */
export function EngineAlert() {
  const state = useEngineValue((s) => s.state);
  const webgpu = useEngineValue((s) => s.device?.gpu.status === 'available');
  const engine = useEngineStore();
  const preferences = usePreferenceStore();
  if (state.status !== 'error') return null;
  const message = errorMessage(state.error);
  const recovery = errorRecovery(state.error);
  // A lost device or a failed load names no spec when the model was already loaded.
  const spec = state.spec ?? state.model?.spec ?? null;

  // After a lost GPU, the browser may offer no adapter until its GPU process is back: the
  // CPU can run the model at once, for this load only (WebGPU stays the preference).
  const cpuForNow = recovery === 'reload-model' && !webgpu && state.model === null;
  const recover = async () => {
    if (!spec) return;
    if (recovery === 'reload-on-cpu') await preferences.update({ backend: 'cpu' });
    if (state.error.kind === 'out-of-memory' && state.error.fitsContext !== null) {
      await preferences.update({ contextSize: state.error.fitsContext });
    }
    await engine.load(spec, {
      ...(cpuForNow && { backend: 'cpu' }),
      despiteOtherTabs: recovery === 'load-anyway',
    });
  };
  // A warning before a load, not a failure: leaving it is the choice not to load.
  const dismissLabel = recovery === 'load-anyway' ? 'Cancel' : 'Dismiss';

  return (
    <div role="alert" className="alert engine-alert">
      <p className="alert-title">{message.title}</p>
      <p>{message.action}</p>
      {state.attempt > 1 && (
        <p className="alert-attempt">
          Attempt {state.attempt}: this model has failed to load {state.attempt} times in a row.
        </p>
      )}
      {cpuForNow && state.error.kind === 'gpu-device-lost' && (
        <p>The browser offers no GPU right now; Reload model will use it once it is back.</p>
      )}
      {recovery !== 'none' && spec && (
        <button type="button" onClick={() => void recover()}>
          {cpuForNow
            ? 'Reload on the CPU'
            : state.error.kind === 'out-of-memory' && state.error.fitsContext !== null
              ? `Load with ${state.error.fitsContext.toLocaleString('en')} tokens`
              : recoveryLabel[recovery]}
        </button>
      )}
      <button type="button" onClick={() => engine.dismissError()}>
        {dismissLabel}
      </button>
    </div>
  );
}
