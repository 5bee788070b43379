import type { EngineClient } from './engine-client.ts';
import type {
  Backend,
  DeviceReport,
  EngineError,
  EngineKind,
  GenerateRequest,
  GenerationResult,
  LoadEvent,
  LoadOptions,
  LoadedModel,
  ModelSpec,
  OriginContact,
  RunMeasurements,
  StoredModel,
} from '../shared/engine-protocol.ts';
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
  /** Another tab is downloading this model; this one waits and then uses the stored copy. */
  inOtherTab: boolean;
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
  /**
   * `model` is what is still loaded and usable after the failure, if anything; `spec` is what
   * failed to load, so that it can be resumed or downloaded again.
   */
  | { status: 'error'; error: EngineError; model: LoadedModel | null; spec: ModelSpec | null };

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
  /** Without `options`, the ones of the previous load (the library and Resume use these). */
  load: (spec: ModelSpec, options?: LoadOptions) => Promise<void>;
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
  /** Copies a file picked on this device into storage, then loads it. */
  loadLocalFile: (file: File, options?: LoadOptions) => Promise<void>;
  /** Deletes stored models (complete or partial); fails with the first error, if any. */
  deleteStored: (specs: ModelSpec[]) => Promise<{ ok: true } | { ok: false; error: EngineError }>;
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

/**
 * Milliseconds between asks for a WebGPU adapter after none came (about 4 minutes in all). The
 * GPU process restarts after a crash or a lost device elsewhere in the browser, and offers an
 * adapter again once it is back; MLC models and the WebGPU backend then unlock without a reload.
 */
const ADAPTER_RECHECK_MS = [2_000, 4_000, 8_000, 15_000, 30_000, 60_000, 120_000];

export function createEngineStore(
  client: EngineClient,
  { adapterRecheckMs = ADAPTER_RECHECK_MS }: { adapterRecheckMs?: readonly number[] } = {},
): EngineStore {
  const store = createExternalStore<EngineSnapshot>({
    state: { status: 'starting' },
    device: null,
    stored: [],
    runs: [],
  });
  let loadController: AbortController | null = null;
  let generateController: AbortController | null = null;
  let nextRunId = 1;
  let lastOptions: LoadOptions = { backend: 'auto' };

  const setState = (state: EngineState) => store.set((s) => ({ ...s, state }));
  const updateRun = (id: number, change: (run: RunRecord) => RunRecord) =>
    store.set((s) => ({ ...s, runs: s.runs.map((run) => (run.id === id ? change(run) : run)) }));

  const isBusy = () => ['downloading', 'loading', 'generating'].includes(store.get().state.status);

  const progressHandler = (spec: ModelSpec, signal: AbortSignal) => (event: LoadEvent) => {
    if (signal.aborted) return;
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
        inOtherTab: event.inOtherTab,
      },
    });
  };

  /** After a failed load or import: the worker knows whether the previous model survived. */
  const settleFailure = async (error: EngineError, spec: ModelSpec | null) => {
    const model = await client.current().catch(() => null);
    setState(
      error.kind === 'cancelled' && !model
        ? { status: 'idle' }
        : { status: 'error', error, model, spec },
    );
    await refreshStored();
  };

  const loadSpec = async (spec: ModelSpec, options: LoadOptions) => {
    lastOptions = options;
    const controller = new AbortController();
    loadController = controller;
    setState({ status: 'loading', spec, stage: 'verifying' });
    const outcome = await client.load(spec, options, {
      signal: controller.signal,
      onEvent: progressHandler(spec, controller.signal),
    });
    loadController = null;
    if (outcome.ok) {
      setState({ status: 'ready', model: outcome.value });
      await refreshStored();
    } else {
      await settleFailure(outcome.error, spec);
    }
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

    async load(spec, options = lastOptions) {
      if (isBusy()) return;
      await loadSpec(spec, options);
    },

    async loadLocalFile(file, options = lastOptions) {
      if (isBusy()) return;
      lastOptions = options;
      const label = file.name.replace(/\.gguf$/i, '');
      const spec: ModelSpec = { engine: 'gguf', url: `local:${file.name}`, label };
      const controller = new AbortController();
      loadController = controller;
      setState({ status: 'loading', spec, stage: 'verifying' });
      const imported = await client.importLocal(file, {
        signal: controller.signal,
        onEvent: progressHandler(spec, controller.signal),
      });
      loadController = null;
      if (imported.ok) await loadSpec(imported.value, options);
      else await settleFailure(imported.error, null);
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
      return { ok: true };
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
            : { status: 'error', error: outcome.error, model: null, spec: null },
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
