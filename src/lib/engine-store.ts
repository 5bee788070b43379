import type { EngineClient } from './engine-client.ts';
import type {
  Backend,
  DeviceReport,
  EngineError,
  EngineKind,
  GenerateRequest,
  GenerationResult,
  LoadOptions,
  LoadedModel,
  ModelSpec,
  OriginContact,
  RunMeasurements,
  StoredModel,
} from './engine-protocol.ts';
import { createExternalStore, type ExternalStore } from './external-store.ts';

export interface DownloadSample {
  /** `Date.now()` in the worker when these bytes had arrived. */
  at: number;
  bytes: number;
}

export interface DownloadState {
  loadedBytes: number;
  totalBytes: number | null;
  /** Recent samples, oldest first, for speed and time-left estimates. */
  samples: DownloadSample[];
}

/** The engine's lifecycle, held only here. */
export type EngineState =
  | { status: 'starting' }
  | { status: 'unsupported'; reason: string }
  | { status: 'idle' }
  | { status: 'downloading'; spec: ModelSpec; download: DownloadState }
  | { status: 'loading'; spec: ModelSpec; stage: 'verifying' | 'initializing' }
  | { status: 'ready'; model: LoadedModel }
  | { status: 'generating'; model: LoadedModel }
  /** `model` is what is still loaded and usable after the failure, if anything. */
  | { status: 'error'; error: EngineError; model: LoadedModel | null };

/**
 * One generation as the UI saw it. Timestamps are the main thread's `performance.now()`, so the
 * time to first token includes the hop through the worker; counts and engine timings come from
 * the worker once the run ends.
 */
export interface RunRecord {
  id: number;
  modelName: string;
  engine: EngineKind;
  backend: Backend;
  sentAt: number;
  firstTokenAt: number | null;
  lastTokenAt: number | null;
  tokensReceived: number;
  endedAt: number | null;
  outcome: GenerationResult['finishReason'] | 'error' | null;
  measurements: RunMeasurements | null;
}

export interface EngineSnapshot {
  state: EngineState;
  device: DeviceReport | null;
  stored: StoredModel[];
  /** Oldest first; the last one may still be running. */
  runs: RunRecord[];
}

export interface EngineStore extends ExternalStore<EngineSnapshot> {
  start: () => Promise<void>;
  load: (spec: ModelSpec, options: LoadOptions) => Promise<void>;
  cancelLoad: () => void;
  /** Resolves when the worker says the run ended (never on a guess of the UI's). */
  generate: (
    request: GenerateRequest,
    onToken: (text: string) => void,
  ) => Promise<{ ok: true; value: GenerationResult } | { ok: false; error: EngineError }>;
  stop: () => void;
  dismissError: () => void;
  refreshStored: () => Promise<void>;
  /** The origins the worker contacted this session (empty when the worker cannot answer). */
  networkLog: () => Promise<OriginContact[]>;
}

const MAX_SAMPLES = 50;
const MAX_RUNS = 20;

/** Why this browser cannot run any model at all, or null when it can run at least GGUF on CPU. */
export function unsupportedReason(device: DeviceReport): string | null {
  const missing = [
    !device.wasm.simd && 'WebAssembly SIMD',
    !device.wasm.exceptions && 'WebAssembly exception handling',
  ].filter(Boolean);
  return missing.length > 0 ? `This browser lacks ${missing.join(' and ')}.` : null;
}

/** The model loaded now, busy or not (also after a failure that left it loaded). */
export function loadedModel(state: EngineState): LoadedModel | null {
  switch (state.status) {
    case 'ready':
    case 'generating':
    case 'error':
      return state.model;
    default:
      return null;
  }
}

export function createEngineStore(client: EngineClient): EngineStore {
  const store = createExternalStore<EngineSnapshot>({
    state: { status: 'starting' },
    device: null,
    stored: [],
    runs: [],
  });
  let loadController: AbortController | null = null;
  let generateController: AbortController | null = null;
  let nextRunId = 1;

  const setState = (state: EngineState) => store.set((s) => ({ ...s, state }));
  const updateRun = (id: number, change: (run: RunRecord) => RunRecord) =>
    store.set((s) => ({ ...s, runs: s.runs.map((run) => (run.id === id ? change(run) : run)) }));

  const refreshStored = async () => {
    const stored = await client.listStored().catch(() => store.get().stored);
    store.set((s) => ({ ...s, stored }));
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
        if (!reason) await refreshStored();
      } catch (cause) {
        const detail = cause instanceof Error ? cause.message : String(cause);
        setState({
          status: 'unsupported',
          reason: `The inference worker could not start: ${detail}`,
        });
      }
    },

    async load(spec, options) {
      const status = store.get().state.status;
      if (status === 'downloading' || status === 'loading' || status === 'generating') return;
      const controller = new AbortController();
      loadController = controller;
      setState({ status: 'loading', spec, stage: 'verifying' });

      const outcome = await client.load(spec, options, {
        signal: controller.signal,
        onEvent: (event) => {
          if (controller.signal.aborted) return;
          if (event.type === 'stage') {
            setState({ status: 'loading', spec, stage: event.stage });
            return;
          }
          const { state } = store.get();
          const samples = state.status === 'downloading' ? state.download.samples : [];
          setState({
            status: 'downloading',
            spec,
            download: {
              loadedBytes: event.loadedBytes,
              totalBytes: event.totalBytes,
              samples: [...samples, { at: event.at, bytes: event.loadedBytes }].slice(-MAX_SAMPLES),
            },
          });
        },
      });
      loadController = null;

      if (outcome.ok) {
        setState({ status: 'ready', model: outcome.value });
      } else {
        // The worker knows whether the previous model survived the failure.
        const model = await client.current().catch(() => null);
        setState(
          outcome.error.kind === 'cancelled' && !model
            ? { status: 'idle' }
            : { status: 'error', error: outcome.error, model },
        );
      }
      await refreshStored();
    },

    cancelLoad() {
      loadController?.abort();
    },

    async generate(request, onToken) {
      const { state } = store.get();
      if (state.status === 'generating') {
        return { ok: false, error: { kind: 'busy', operation: 'generate' } };
      }
      const model = loadedModel(state);
      if (!model) return { ok: false, error: { kind: 'no-model-loaded' } };
      const controller = new AbortController();
      generateController = controller;
      const id = nextRunId++;
      store.set((s) => ({
        ...s,
        state: { status: 'generating', model },
        runs: [
          ...s.runs,
          {
            id,
            modelName: model.name,
            engine: model.spec.engine,
            backend: model.backend,
            sentAt: performance.now(),
            firstTokenAt: null,
            lastTokenAt: null,
            tokensReceived: 0,
            endedAt: null,
            outcome: null,
            measurements: null,
          },
        ].slice(-MAX_RUNS),
      }));

      const outcome = await client.generate(request, {
        signal: controller.signal,
        onToken: (text) => {
          const now = performance.now();
          updateRun(id, (run) => ({
            ...run,
            firstTokenAt: run.firstTokenAt ?? now,
            lastTokenAt: now,
            tokensReceived: run.tokensReceived + 1,
          }));
          onToken(text);
        },
      });
      generateController = null;

      updateRun(id, (run) => ({
        ...run,
        endedAt: performance.now(),
        outcome: outcome.ok ? outcome.value.finishReason : 'error',
        measurements: outcome.ok ? outcome.value.measurements : null,
      }));
      if (outcome.ok) {
        setState({ status: 'ready', model });
      } else {
        // The answer shows its own error; the engine is in error only if the model is gone.
        const stillLoaded = await client.current().catch(() => null);
        setState(
          stillLoaded
            ? { status: 'ready', model: stillLoaded }
            : { status: 'error', error: outcome.error, model: null },
        );
      }
      return outcome;
    },

    stop() {
      generateController?.abort();
    },

    dismissError() {
      const { state } = store.get();
      if (state.status !== 'error') return;
      setState(state.model ? { status: 'ready', model: state.model } : { status: 'idle' });
    },
  };
}
