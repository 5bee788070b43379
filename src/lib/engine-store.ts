import type { EngineClient } from './engine-client.ts';
import {
  canGenerate,
  canLoad,
  dismissed,
  loadFailed,
  loadedModel,
  progressed,
  runFailed,
  type EngineState,
} from './engine-lifecycle.ts';
import { createExternalStore, type ExternalStore } from './external-store.ts';
import type { PreferenceStore } from './preferences.ts';
import type { RunLog } from './run-log.ts';
import type {
  DeviceReport,
  EngineError,
  GenerateRequest,
  GenerationResult,
  LoadedModel,
  ModelOutcome,
  ModelSpec,
  OriginContact,
  Outcome,
  StoredModel,
} from '../shared/engine-protocol.ts';

export interface EngineSnapshot {
  state: EngineState;
  device: DeviceReport | null;
  stored: StoredModel[];
}

/**
 * The engine as the UI sees it: the lifecycle, the device and the stored models. Every action
 * says how it ended; a refused one (something else is under way) ends with `busy`.
 */
export interface EngineStore extends ExternalStore<EngineSnapshot> {
  start: () => Promise<void>;
  /** Loads with the backend of the persisted preferences (whichever view asks). */
  load: (spec: ModelSpec) => Promise<ModelOutcome<LoadedModel>>;
  /** Copies a file picked on this device into storage, then loads it. */
  loadLocalFile: (file: File) => Promise<ModelOutcome<LoadedModel>>;
  cancelLoad: () => void;
  /**
   * Streams an answer; resolves when the worker says the run ended (never on a guess of the
   * UI's). `sentAt` is when the user pressed Send (`performance.now()`), for time to first token.
   */
  generate: (
    request: GenerateRequest,
    onToken: (text: string) => void,
    sentAt?: number,
  ) => Promise<ModelOutcome<GenerationResult>>;
  stop: () => void;
  dismissError: () => void;
  refreshStored: () => Promise<void>;
  /** The origins the worker contacted this session (empty when the worker cannot answer). */
  networkLog: () => Promise<OriginContact[]>;
  /** Deletes stored models (complete or partial); fails with the first error, if any. */
  deleteStored: (specs: ModelSpec[]) => Promise<Outcome<null>>;
}

/** Why this browser cannot run any model at all, or null when it can run at least GGUF on CPU. */
export function unsupportedReason(device: DeviceReport): string | null {
  const missing = [
    !device.wasm.simd && 'WebAssembly SIMD',
    !device.wasm.exceptions && 'WebAssembly exception handling',
  ].filter(Boolean);
  return missing.length > 0 ? `This browser lacks ${missing.join(' and ')}.` : null;
}

/**
 * Milliseconds between asks for a WebGPU adapter after none came (about 4 minutes in all). The
 * GPU process restarts after a crash or a lost device elsewhere in the browser, and offers an
 * adapter again once it is back; MLC models and the WebGPU backend then unlock without a reload.
 */
const ADAPTER_RECHECK_MS = [2_000, 4_000, 8_000, 15_000, 30_000, 60_000, 120_000];

export interface EngineStoreParts {
  runs: RunLog;
  preferences: PreferenceStore;
  adapterRecheckMs?: readonly number[];
}

const busy = (state: EngineState): EngineError => ({
  kind: 'busy',
  operation: state.status === 'generating' ? 'generate' : 'load',
});

export function createEngineStore(
  client: EngineClient,
  { runs, preferences, adapterRecheckMs = ADAPTER_RECHECK_MS }: EngineStoreParts,
): EngineStore {
  const store = createExternalStore<EngineSnapshot>({
    state: { status: 'starting' },
    device: null,
    stored: [],
  });
  let loadController: AbortController | null = null;
  let generateController: AbortController | null = null;

  const state = () => store.get().state;
  const setState = (next: EngineState) => store.set((s) => ({ ...s, state: next }));
  /** Progress comes many times a second: one render per frame is enough. */
  const onProgress =
    (spec: ModelSpec, signal: AbortSignal) => (event: Parameters<typeof progressed>[2]) => {
      if (!signal.aborted)
        store.setBatched((s) => ({ ...s, state: progressed(s.state, spec, event) }));
    };

  const refreshStored = async () => {
    const stored = await client.listStored().catch(() => store.get().stored);
    store.set((s) => ({ ...s, stored }));
  };

  const loadSpec = async (spec: ModelSpec, controller: AbortController) => {
    setState({ status: 'loading', spec, stage: 'verifying' });
    const outcome = await client.load(spec, preferences.get(), {
      signal: controller.signal,
      onEvent: onProgress(spec, controller.signal),
    });
    loadController = null;
    setState(
      outcome.ok
        ? { status: 'ready', model: outcome.value }
        : loadFailed(outcome.error, outcome.loaded, spec),
    );
    await refreshStored();
    return outcome;
  };

  const recheckAdapter = async () => {
    for (const wait of adapterRecheckMs) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      const device = await client.probe(true).catch(() => null);
      if (device?.gpu.status === 'available') {
        store.set((s) => ({ ...s, device }));
        return;
      }
    }
  };

  return {
    ...store,
    refreshStored,
    networkLog: () => client.networkLog().catch(() => []),

    async start() {
      try {
        const device = await client.probe();
        const reason = unsupportedReason(device);
        store.set((s) => ({
          ...s,
          device,
          state: reason ? { status: 'unsupported', reason } : { status: 'idle' },
        }));
        if (device.gpu.status === 'no-adapter') void recheckAdapter();
        if (!reason) await refreshStored();
      } catch (cause) {
        const detail = cause instanceof Error ? cause.message : String(cause);
        setState({
          status: 'unsupported',
          reason: `The inference worker could not start: ${detail}`,
        });
      }
    },

    async load(spec) {
      if (!canLoad(state()))
        return { ok: false, error: busy(state()), loaded: loadedModel(state()) };
      loadController = new AbortController();
      return loadSpec(spec, loadController);
    },

    async loadLocalFile(file) {
      if (!canLoad(state()))
        return { ok: false, error: busy(state()), loaded: loadedModel(state()) };
      const previous = loadedModel(state());
      const label = file.name.replace(/\.gguf$/i, '');
      const spec: ModelSpec = { engine: 'gguf', url: `local:${file.name}`, label };
      const controller = new AbortController();
      loadController = controller;
      setState({ status: 'loading', spec, stage: 'verifying' });
      const imported = await client.importLocal(file, {
        signal: controller.signal,
        onEvent: onProgress(spec, controller.signal),
      });
      if (imported.ok) return loadSpec(imported.value, controller);
      loadController = null;
      // An import touches no loaded model: the previous one is still there.
      setState(loadFailed(imported.error, previous, null));
      await refreshStored();
      return { ...imported, loaded: previous };
    },

    async deleteStored(specs) {
      for (const spec of specs) {
        const outcome = await client.deleteStored(spec);
        if (!outcome.ok) {
          await refreshStored();
          return outcome;
        }
      }
      await refreshStored();
      return { ok: true, value: null };
    },

    cancelLoad() {
      loadController?.abort();
    },

    async generate(request, onToken, sentAt = performance.now()) {
      const model = loadedModel(state());
      if (!model) return { ok: false, error: { kind: 'no-model-loaded' }, loaded: null };
      if (!canGenerate(state())) return { ok: false, error: busy(state()), loaded: model };
      const controller = new AbortController();
      generateController = controller;
      const id = runs.begin(model, sentAt);
      setState({ status: 'generating', model });

      const outcome = await client.generate(request, {
        signal: controller.signal,
        onToken: (text) => {
          runs.token(id, performance.now());
          onToken(text);
        },
      });
      generateController = null;
      runs.end(id, outcome.ok ? outcome.value : null, performance.now());
      setState(
        outcome.ok
          ? { status: 'ready', model }
          : runFailed(outcome.error, outcome.loaded, model.spec),
      );
      return outcome;
    },

    stop() {
      generateController?.abort();
    },

    dismissError() {
      setState(dismissed(state()));
    },
  };
}
