import type { EngineClient, Handlers, OnTurn } from './engine-client.ts';
import {
  canGenerate,
  canLoad,
  countedFailure,
  dismissed,
  loadFailed,
  loadedModel,
  progressed,
  runFailed,
  type EngineState,
  type FailureCount,
} from './engine-lifecycle.ts';
import { createExternalStore, type ExternalStore } from './external-store.ts';
import type { PreferenceStore } from './preferences.ts';
import type { RunLog } from './run-log.ts';
import type {
  BackendPreference,
  BenchmarkEvent,
  BenchmarkRequest,
  BenchmarkRun,
  DeviceReport,
  EngineError,
  GenerateRequest,
  GenerationResult,
  LoadedModel,
  ModelOutcome,
  ModelSpec,
  OriginContact,
  Outcome,
  ScoreEvent,
  ScoreRequest,
  ScoreResult,
  StoredModel,
} from '../shared/engine-protocol.ts';
import { modelKey, modelLabel } from '../shared/model-keys.ts';
import { estimateMemory, memoryVerdict } from '../shared/memory-estimate.ts';
import { crowdedByOtherTabs } from '../shared/other-tabs-memory.ts';

export interface EngineSnapshot {
  state: EngineState;
  device: DeviceReport | null;
  stored: StoredModel[];
  /** Who holds the engine for a while (e.g. "Compare"), so that nobody else may use it. */
  heldBy: string | null;
}

/** Whether a load (or a deletion) may start now: nothing under way and nobody holds the engine. */
export const mayLoad = (s: EngineSnapshot): boolean => !s.heldBy && canLoad(s.state);

/** Whether a message may be sent now: a model is loaded, free, and nobody holds the engine. */
export const mayGenerate = (s: EngineSnapshot): boolean => !s.heldBy && canGenerate(s.state);

/**
 * How a load is asked for. `despiteOtherTabs`: the user was warned that the models other tabs
 * hold and this one need more memory together than the device has (`other-tabs-memory`), and
 * chose to load anyway.
 */
export interface LoadChoice {
  /** The backend for this load only (the CPU, after the GPU was lost); else the preference's. */
  backend?: BackendPreference;
  despiteOtherTabs?: boolean;
}

/**
 * The engine held by one owner (the quantization lab): its loads, answers and measurements are
 * the only ones allowed until `release`. Every step still shows in the engine's state.
 */
export interface EngineSession {
  /** Loads with `backend`, whatever the persisted preference says. */
  load: (spec: ModelSpec, backend: BackendPreference) => Promise<ModelOutcome<LoadedModel>>;
  generate: (
    request: GenerateRequest,
    onToken: (text: string) => void,
    signal: AbortSignal,
  ) => Promise<ModelOutcome<GenerationResult>>;
  score: (
    request: ScoreRequest,
    handlers: Handlers<ScoreEvent>,
  ) => Promise<ModelOutcome<ScoreResult>>;
  benchmark: (
    request: BenchmarkRequest,
    handlers: Handlers<BenchmarkEvent>,
  ) => Promise<ModelOutcome<BenchmarkRun[]>>;
  /** Frees the loaded model, leaving none. */
  unload: () => Promise<Outcome<null>>;
  release: () => void;
}

/**
 * The engine as the UI sees it: the lifecycle, the device and the stored models. Every action
 * says how it ended; a refused one (something else is under way) ends with `busy`.
 */
export interface EngineStore extends ExternalStore<EngineSnapshot> {
  start: () => Promise<void>;
  /**
   * Loads with the backend of the persisted preferences (whichever view asks), unless `choice`
   * names one. When other tabs hold models and all of them together would outgrow the device's
   * memory, nothing is loaded: the load ends with `other-tabs-memory` (the warning, shown as the
   * engine's error) until it is asked for again `despiteOtherTabs`.
   */
  load: (spec: ModelSpec, choice?: LoadChoice) => Promise<ModelOutcome<LoadedModel>>;
  /**
   * Loads a GGUF model from Blobs read on this thread (an embedded widget's shared storage;
   * see `EngineApi.loadFiles`), with the backend of the persisted preferences; warns first as
   * `load` does.
   */
  loadFiles: (
    spec: ModelSpec,
    files: Blob[],
    choice?: Pick<LoadChoice, 'despiteOtherTabs'>,
  ) => Promise<ModelOutcome<LoadedModel>>;
  /**
   * Copies a file picked on this device into storage, then loads it (warning first as `load`
   * does: the copy is stored either way, so that Load anyway loads it from storage).
   */
  loadLocalFile: (file: File) => Promise<ModelOutcome<LoadedModel>>;
  /** Copies a file picked on this device into storage, and ends with the spec to load it by. */
  importLocal: (file: File) => Promise<Outcome<ModelSpec>>;
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
  /**
   * Takes the engine for `holder` until the session is released; null when something is under
   * way or someone else holds it.
   */
  hold: (holder: string) => EngineSession | null;
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

const workerCrashed = (cause: unknown): EngineError => ({
  kind: 'engine-crashed',
  detail: cause instanceof Error ? cause.message : String(cause),
  neededBytes: null,
  limitBytes: null,
});

const busy = (state: EngineState, heldBy: string | null): EngineError => ({
  kind: 'busy',
  operation:
    heldBy || state.status === 'measuring'
      ? 'measure'
      : state.status === 'generating'
        ? 'generate'
        : 'load',
});

export function createEngineStore(
  client: EngineClient,
  { runs, preferences, adapterRecheckMs = ADAPTER_RECHECK_MS }: EngineStoreParts,
): EngineStore {
  const store = createExternalStore<EngineSnapshot>({
    state: { status: 'starting' },
    device: null,
    stored: [],
    heldBy: null,
  });
  let loadController: AbortController | null = null;
  let generateController: AbortController | null = null;
  /** Failed loads of one model in a row, for the attempt number an error shows. */
  let failures: FailureCount | null = null;
  const failedAgain = (spec: ModelSpec, error: EngineError | null) => {
    failures = countedFailure(failures, spec, error);
    return failures?.attempts ?? 1;
  };

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

  /**
   * The warning to give before `spec` is loaded next to the models other tabs hold, or null to
   * load at once. Its size: the files' it is loaded from, else its stored copy's (0 when not
   * stored yet: then only the other tabs' models count).
   */
  const otherTabsWarning = async (spec: ModelSpec, files: Blob[] | null) => {
    const others = await client.otherTabsModels().catch(() => []);
    if (others.length === 0) return null;
    // Another tab may have stored this model since this tab last listed the library.
    if (!files) await refreshStored();
    const bytes = files
      ? files.reduce((sum, file) => sum + file.size, 0)
      : (store.get().stored.find((s) => modelKey(s.spec) === modelKey(spec))?.sizeBytes ?? 0);
    return crowdedByOtherTabs(others, { label: modelLabel(spec), bytes }, store.get().device);
  };

  const loadSpec = async (
    spec: ModelSpec,
    controller: AbortController,
    {
      backend = preferences.get().backend,
      files = null,
      otherTabs = 'warn',
    }: {
      backend?: BackendPreference | undefined;
      files?: Blob[] | null;
      otherTabs?: 'warn' | 'ignore';
    } = {},
  ): Promise<ModelOutcome<LoadedModel>> => {
    const previous = loadedModel(state());
    setState({ status: 'loading', spec, stage: 'verifying' });
    if (otherTabs === 'warn') {
      const warning = await otherTabsWarning(spec, files);
      if (warning) {
        loadController = null;
        // Not a failure of this model: the attempt count stays as it was.
        setState({ status: 'error', error: warning, model: previous, spec, attempt: 1 });
        return { ok: false, error: warning, loaded: previous };
      }
    }
    const { contextSize, verifyStoredSha256 } = preferences.get();
    const options = { backend, contextSize, verifySha256: verifyStoredSha256 };
    const handlers = { signal: controller.signal, onEvent: onProgress(spec, controller.signal) };
    const outcome = await (files
      ? client.loadFiles(spec, files, options, handlers)
      : client.load(spec, options, handlers));
    loadController = null;
    if (outcome.ok) watchLosses();
    else afterFailure(outcome.error);
    const attempt = failedAgain(spec, outcome.ok ? null : outcome.error);
    setState(
      outcome.ok
        ? { status: 'ready', model: outcome.value }
        : loadFailed(explained(outcome.error, spec), outcome.loaded, spec, attempt),
    );
    // The model to open again next time; the lab's variants (loaded while it holds the
    // engine) are measurements, not the user's choice.
    if (outcome.ok && !store.get().heldBy) {
      void preferences.update({ lastModel: { key: modelKey(spec), label: modelLabel(spec) } });
    }
    await refreshStored();
    return outcome;
  };

  /** Copies a file picked on this device into storage; a failure leaves the loaded model. */
  const importFile = async (file: File, controller: AbortController) => {
    const previous = loadedModel(state());
    const label = file.name.replace(/\.gguf$/i, '');
    const spec: ModelSpec = { engine: 'gguf', url: `local:${file.name}`, label };
    loadController = controller;
    setState({ status: 'loading', spec, stage: 'verifying' });
    const imported = await client.importLocal(file, {
      signal: controller.signal,
      onEvent: onProgress(spec, controller.signal),
    });
    loadController = null;
    if (!imported.ok) {
      setState(loadFailed(imported.error, previous, null, failedAgain(spec, imported.error)));
    }
    await refreshStored();
    return imported;
  };

  /** What an action that may not run now ends with: busy, and the model still loaded. */
  const refused = <T>(): ModelOutcome<T> => ({
    ok: false,
    error: busy(state(), store.get().heldBy),
    loaded: loadedModel(state()),
  });

  const generate = async (
    request: GenerateRequest,
    onToken: (text: string) => void,
    sentAt: number,
    signal?: AbortSignal,
  ): Promise<ModelOutcome<GenerationResult>> => {
    const model = loadedModel(state());
    if (!model) return { ok: false, error: { kind: 'no-model-loaded' }, loaded: null };
    if (!canGenerate(state())) return refused();
    const controller = new AbortController();
    signal?.addEventListener('abort', () => controller.abort(), { once: true });
    generateController = controller;
    const id = runs.begin(model, sentAt);
    setState({ status: 'generating', model });

    const outcome = await client.generate(request, {
      signal: controller.signal,
      onToken: (text) => {
        runs.token(id, performance.now());
        onToken(text);
      },
      onTurn: (waitingForTab) => setState({ status: 'generating', model, waitingForTab }),
    });
    generateController = null;
    if (!outcome.ok) afterFailure(outcome.error);
    runs.end(id, outcome.ok ? outcome.value : null, performance.now());
    setState(
      outcome.ok
        ? { status: 'ready', model }
        : runFailed(explained(outcome.error, model.spec), outcome.loaded, model.spec),
    );
    return outcome;
  };

  /** A scoring or a benchmark of the loaded model: the state says so while it runs. */
  const measure = async <T>(
    work: (onTurn: OnTurn) => Promise<ModelOutcome<T>>,
  ): Promise<ModelOutcome<T>> => {
    const model = loadedModel(state());
    if (!model) return { ok: false, error: { kind: 'no-model-loaded' }, loaded: null };
    if (!canGenerate(state())) return refused();
    setState({ status: 'measuring', model });
    const outcome = await work((waitingForTab) =>
      setState({ status: 'measuring', model, waitingForTab }),
    );
    if (!outcome.ok) afterFailure(outcome.error);
    setState(
      outcome.ok
        ? { status: 'ready', model }
        : runFailed(outcome.error, outcome.loaded, model.spec),
    );
    return outcome;
  };

  let rechecking = false;
  const recheckAdapter = async () => {
    if (rechecking) return;
    rechecking = true;
    try {
      for (const wait of adapterRecheckMs) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        const device = await client.probe(true).catch(() => null);
        if (device?.gpu.status === 'available') {
          store.set((s) => ({ ...s, device }));
          return;
        }
      }
    } finally {
      rechecking = false;
    }
  };

  /**
   * After a lost GPU device the adapter it came from is gone: what the browser offers now (often
   * nothing until its GPU process is back) decides how the model can be loaded again.
   */
  const reprobe = async () => {
    const device = await client.probe(true).catch(() => null);
    if (device) store.set((s) => ({ ...s, device }));
    if (device?.gpu.status === 'no-adapter') void recheckAdapter();
  };

  /**
   * A dead engine worker says what the model needed against what this device has, from the
   * stored file's size (its weights; the context comes on top) and the device's limits.
   */
  const explained = (error: EngineError, spec: ModelSpec): EngineError => {
    if (error.kind !== 'engine-crashed' || error.neededBytes !== null) return error;
    const stored = store.get().stored.find((s) => modelKey(s.spec) === modelKey(spec));
    if (!stored?.sizeBytes) return error;
    const estimate = estimateMemory(stored.sizeBytes, null);
    const { limitBytes } = memoryVerdict(estimate, store.get().device, preferences.get().backend);
    return { ...error, neededBytes: estimate.totalBytes, limitBytes };
  };

  /** A failure that took the model with it (see `losesModel`). */
  function afterFailure(error: EngineError) {
    if (error.kind === 'gpu-device-lost') void reprobe();
  }

  /**
   * The engine can drop its model between answers (a lost GPU device, a dead worker): the
   * state then says so and names the model, so that one click loads it again. One watch at a
   * time, from the first load on; a dead worker ends it until the next load starts a new one.
   */
  let watching = false;
  function watchLosses() {
    if (watching) return;
    watching = true;
    const lost = (spec: ModelSpec, error: EngineError) => {
      const now = state();
      const model = loadedModel(now);
      // A run under way reports the loss as its own outcome.
      if (now.status === 'generating' || now.status === 'measuring') return;
      if (!model || modelKey(model.spec) !== modelKey(spec)) return;
      setState({ status: 'error', error: explained(error, spec), model: null, spec, attempt: 1 });
      afterFailure(error);
    };
    void (async () => {
      for (;;) {
        try {
          const loss = await client.lostModel();
          lost(loss.spec, loss.error);
        } catch (cause) {
          watching = false;
          const model = loadedModel(state());
          if (model) lost(model.spec, workerCrashed(cause));
          return;
        }
      }
    })();
  }

  return {
    ...store,
    refreshStored,
    networkLog: () => client.networkLog().catch(() => []),

    async start() {
      try {
        const device = await client.probe();
        const reason = unsupportedReason(device);
        // Listed before the state leaves `starting`, so that the UI never shows an empty
        // library (and a first-run offer) for a moment to someone who has models stored.
        const stored = reason ? [] : await client.listStored().catch(() => []);
        store.set((s) => ({
          ...s,
          device,
          stored,
          state: reason ? { status: 'unsupported', reason } : { status: 'idle' },
        }));
        if (device.gpu.status === 'no-adapter') void recheckAdapter();
      } catch (cause) {
        const detail = cause instanceof Error ? cause.message : String(cause);
        setState({
          status: 'unsupported',
          reason: `The inference worker could not start: ${detail}`,
        });
      }
    },

    async load(spec, { backend, despiteOtherTabs = false } = {}) {
      if (!mayLoad(store.get())) return refused();
      loadController = new AbortController();
      return loadSpec(spec, loadController, {
        backend,
        otherTabs: despiteOtherTabs ? 'ignore' : 'warn',
      });
    },

    async loadFiles(spec, files, { despiteOtherTabs = false } = {}) {
      if (!mayLoad(store.get())) return refused();
      loadController = new AbortController();
      return loadSpec(spec, loadController, {
        files,
        otherTabs: despiteOtherTabs ? 'ignore' : 'warn',
      });
    },

    async loadLocalFile(file) {
      if (!mayLoad(store.get())) return refused();
      const controller = new AbortController();
      const imported = await importFile(file, controller);
      if (!imported.ok) return { ...imported, loaded: loadedModel(state()) };
      loadController = controller;
      return loadSpec(imported.value, controller);
    },

    async importLocal(file) {
      if (!mayLoad(store.get())) return refused();
      const previous = state();
      const imported = await importFile(file, new AbortController());
      // Only stored, not loaded: the engine is as it was before.
      if (imported.ok) setState(previous);
      return imported;
    },

    async deleteStored(specs) {
      if (store.get().heldBy) return refused();
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
      if (store.get().heldBy) return refused();
      return generate(request, onToken, sentAt);
    },

    hold(holder) {
      if (!mayLoad(store.get())) return null;
      store.set((s) => ({ ...s, heldBy: holder }));
      let held = true;
      const whileHeld = <T>(work: () => Promise<ModelOutcome<T>>): Promise<ModelOutcome<T>> =>
        held ? work() : Promise.resolve(refused());
      return {
        load: (spec, backend) =>
          whileHeld(() => {
            if (!canLoad(state())) return Promise.resolve(refused());
            loadController = new AbortController();
            // The lab loads variant after variant in one run the user started: a warning in
            // the middle of it would only end the run.
            return loadSpec(spec, loadController, { backend, otherTabs: 'ignore' });
          }),
        generate: (request, onToken, signal) =>
          whileHeld(() => generate(request, onToken, performance.now(), signal)),
        score: (request, handlers) =>
          whileHeld(() => measure((onTurn) => client.score(request, { ...handlers, onTurn }))),
        benchmark: (request, handlers) =>
          whileHeld(() => measure((onTurn) => client.benchmark(request, { ...handlers, onTurn }))),
        async unload() {
          if (!held || !canLoad(state())) return refused();
          const outcome = await client.unload();
          if (outcome.ok) setState({ status: 'idle' });
          return outcome;
        },
        release() {
          if (!held) return;
          held = false;
          store.set((s) => ({ ...s, heldBy: null }));
        },
      };
    },

    stop() {
      generateController?.abort();
    },

    dismissError() {
      setState(dismissed(state()));
    },
  };
}
