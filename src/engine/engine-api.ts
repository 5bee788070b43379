/**
 * The engine API's implementation: downloads into IndexedDB, llama.cpp (wllama) and web-llm.
 * It runs in the inference worker (`engine.worker.ts`), and in any thread that calls
 * `createEngineApi` (the main thread reaches the worker only through `engine-client.ts`).
 */
import type {
  BenchmarkStream,
  DeviceReport,
  EngineApi,
  EngineError,
  GenerateStream,
  ImportStream,
  LoadEvent,
  LoadOptions,
  LoadStream,
  LostModel,
  ModelOutcome,
  ModelSpec,
  Outcome,
  ScoreStream,
  TurnEvent,
} from '../shared/engine-protocol.ts';
import {
  streamSender,
  type AnyStream,
  type EndOf,
  type StreamSender,
} from '../shared/event-stream.ts';
import { inGpuTurn, type Turn } from './gpu-turn.ts';
import { advertiseLoaded, otherTabsModels } from './loaded-model-advert.ts';
import { probeDevice } from './device/probe-device.ts';
import { classifyError, EngineFailure, losesModel } from '../shared/engine-failure.ts';
import { checkedGguf } from './gguf/gguf-store-checks.ts';
import { importGguf, openGguf } from './gguf/open-gguf.ts';
import {
  deleteGgufModelUnlessDownloading,
  listGgufModels,
  openGgufModels,
  rememberGgufModel,
} from './library/gguf-models.ts';
import { deleteMlcModel, listStoredMlc } from './library/mlc-models.ts';
import { usageBytes } from './library/storage-space.ts';
import { forgetUsage, markUsed, openUsageStore, readUsage } from './library/usage-store.ts';
import type { LocalEngine } from './local-engine.ts';
import { contactedOrigins } from './network-log.ts';
import { openMlcRegistry, rememberMlcModel } from './mlc/mlc-registry.ts';
import { openShardStore } from '../shared/shard-store.ts';
import { modelKey } from '../shared/model-keys.ts';

const shards = openShardStore();
const ggufModels = openGgufModels();
const mlcRegistry = openMlcRegistry();
const usage = openUsageStore();

let device: Promise<DeviceReport> | null = null;
let current: LocalEngine | null = null;
/** Ends the advertising of `current` to other tabs (`loaded-model-advert.ts`). */
let stopAdvertising: (() => void) | null = null;
/** The load (or import) in progress, if any. */
let loading: AbortSignal | null = null;
/** The model being loaded (or imported) now, so that it is not deleted under the download. */
let loadingKey: string | null = null;
/** An answer, a scoring or a benchmark in progress: one at a time, as the model is one. */
let running: 'generate' | 'measure' | null = null;

const deviceReport = () => (device ??= probeDevice());

/** Who waits for the next model the engine drops by itself (`EngineApi.lostModel`). */
let lostWaiters: ((lost: LostModel) => void)[] = [];

/** The model can no longer run: drop it, and ask for the adapter anew at the next load. */
async function dropModel(engine: LocalEngine, error: EngineError): Promise<void> {
  if (current !== engine) return;
  if (error.kind === 'gpu-device-lost') device = null;
  await unloadCurrent();
}

/**
 * Watches a loaded model for a fault between calls. During a call the call itself fails with
 * the fault and `run` drops the model; between calls nobody would hear of it, so the page is
 * told through `lostModel`.
 */
function watchFault(engine: LocalEngine): void {
  void engine.fault.then(async (error) => {
    if (current !== engine || running) return;
    await dropModel(engine, error);
    const waiters = lostWaiters;
    lostWaiters = [];
    for (const notify of waiters) notify({ spec: engine.loaded.spec, error });
  });
}

async function outcome<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (cause) {
    return { ok: false, error: classifyError(cause) };
  }
}

/** A failed load or answer says which model is loaded now. */
const withLoaded = <T>(result: Outcome<T>) =>
  result.ok ? result : { ...result, loaded: current?.loaded ?? null };

/** Runs a streamed operation on its port: `work` sends events, its result ends the stream. */
function streamed<M extends AnyStream>(
  port: MessagePort,
  work: (stream: StreamSender<M>) => Promise<EndOf<M>>,
): Promise<void> {
  const stream = streamSender<M>(port);
  return work(stream).then(stream.end);
}

async function unloadCurrent(): Promise<void> {
  const engine = current;
  current = null;
  stopAdvertising?.();
  stopAdvertising = null;
  await engine?.unload().catch((cause: unknown) => console.warn('unload failed', cause));
}

/**
 * The engine code (wllama, web-llm: megabytes of JS) is imported only when a model of its kind
 * is loaded, so the worker starts fast and a GGUF user never parses web-llm.
 */
async function loadModel(
  spec: ModelSpec,
  options: LoadOptions,
  signal: AbortSignal,
  onEvent: (event: LoadEvent) => void,
): Promise<LocalEngine> {
  const { gpu } = await deviceReport();
  if (spec.engine === 'gguf') {
    // Recorded first, so that a partial download of a split model knows all its parts.
    if (!spec.url.startsWith('local:')) await rememberGgufModel(ggufModels, spec);
    // The current model stays usable until the new file is stored and checked.
    const opened = await openGguf(shards, spec, signal, onEvent, options.verifySha256 === true);
    if (signal.aborted) throw new EngineFailure({ kind: 'cancelled' });
    await unloadCurrent();
    onEvent({ type: 'stage', stage: 'initializing' });
    const { loadWllamaEngine } = await import('./gguf/wllama-engine.ts');
    return loadWllamaEngine({
      spec,
      ...opened,
      backend: options.backend,
      ...(options.contextSize !== undefined && { contextSize: options.contextSize }),
      gpu,
    });
  }

  const mlc = await import('./mlc/mlc-engine.ts');
  mlc.checkMlcModel(spec.modelId, gpu); // refuse before unloading anything
  const { hasModelInCache } = await import('@mlc-ai/web-llm');
  const wasStored = await hasModelInCache(spec.modelId, mlc.mlcAppConfig).catch(() => false);
  const usageBefore = wasStored ? null : await usageBytes().catch(() => null);
  await unloadCurrent();
  const engine = await mlc.loadMlcEngine({ modelId: spec.modelId, gpu, signal, onEvent });
  if (!wasStored) {
    const usageAfter = await usageBytes().catch(() => null);
    const grew = usageBefore !== null && usageAfter !== null ? usageAfter - usageBefore : null;
    // Only listing depends on this record; failing to write it must not orphan a loaded model.
    await rememberMlcModel(mlcRegistry, spec.modelId, grew).catch((cause: unknown) =>
      console.warn('could not record the stored MLC model', cause),
    );
  }
  return engine;
}

/**
 * A GGUF model from Blobs its caller read (see `EngineApi.loadFiles`): checked like a stored
 * file, then loaded in place of the current model. Nothing is stored.
 */
async function loadFromFiles(
  spec: ModelSpec,
  files: Blob[],
  options: LoadOptions,
  signal: AbortSignal,
  onEvent: (event: LoadEvent) => void,
): Promise<LocalEngine> {
  if (spec.engine !== 'gguf') {
    throw new EngineFailure({
      kind: 'not-supported',
      operation: 'loading from files',
      engine: 'mlc',
    });
  }
  const first = files[0];
  if (!first || files.some((file) => !(file instanceof Blob))) {
    throw new EngineFailure({ kind: 'internal', detail: 'loadFiles needs one Blob per part' });
  }
  const { gpu } = await deviceReport();
  onEvent({ type: 'stage', stage: 'verifying' });
  const header = await checkedGguf(first, spec.url);
  for (const part of files.slice(1)) await checkedGguf(part, spec.url);
  if (signal.aborted) throw new EngineFailure({ kind: 'cancelled' });
  await unloadCurrent();
  onEvent({ type: 'stage', stage: 'initializing' });
  const { loadWllamaEngine } = await import('./gguf/wllama-engine.ts');
  return loadWllamaEngine({
    spec,
    files,
    header,
    fromStorage: true,
    backend: options.backend,
    gpu,
  });
}

/** Runs a load on its port: one at a time, never during an answer, cancelled through the port. */
function loadOnPort(
  spec: ModelSpec,
  port: MessagePort,
  open: (signal: AbortSignal, onEvent: (event: LoadEvent) => void) => Promise<LocalEngine>,
): Promise<void> {
  return streamed<LoadStream>(port, async (stream) => {
    if (loading) return withLoaded({ ok: false, error: { kind: 'busy', operation: 'load' } });
    if (running) return withLoaded({ ok: false, error: busy(running) });
    loading = stream.signal;
    loadingKey = modelKey(spec);
    try {
      const result = await outcome(async () => {
        const engine = await open(stream.signal, stream.send);
        if (stream.signal.aborted) {
          await engine.unload();
          throw new EngineFailure({ kind: 'cancelled' });
        }
        current = engine;
        stopAdvertising = advertiseLoaded(engine.loaded);
        watchFault(engine);
        await markUsed(usage, spec).catch(() => undefined); // only the library's "last used"
        return engine.loaded;
      });
      return withLoaded(result);
    } finally {
      loading = null;
      loadingKey = null;
    }
  });
}

/** Deletes a model's bytes, unless this tab is loading it or another tab is downloading it. */
async function deleteModel(spec: ModelSpec): Promise<void> {
  if (loadingKey === modelKey(spec)) throw new EngineFailure({ kind: 'busy', operation: 'load' });
  if (spec.engine === 'mlc') await deleteMlcModel(mlcRegistry, spec.modelId);
  else await deleteGgufModelUnlessDownloading(shards, ggufModels, spec);
  await forgetUsage(usage, spec);
}

/** The measurements of an answer that never started. */
const NOTHING_RUN = { promptTokens: 0, outputTokens: 0, prefillMs: 0, decodeMs: 0 };

const busy = (operation: 'load' | 'generate' | 'measure'): EngineError => ({
  kind: 'busy',
  operation,
});

/**
 * Runs `work` on the loaded model, unless there is none or it is busy, in this tab's turn on the
 * GPU (`gpu-turn.ts`: a wait for another tab is announced on `stream`). A lost device leaves the
 * model unusable: it is dropped, so that the UI offers to load it again.
 */
async function run<T>(
  operation: 'generate' | 'measure',
  stream: { signal: AbortSignal; send: (event: TurnEvent) => void },
  work: (engine: LocalEngine) => Promise<T>,
) {
  const engine = current;
  if (!engine) return withLoaded<Turn<T>>({ ok: false, error: { kind: 'no-model-loaded' } });
  if (loading) return withLoaded<Turn<T>>({ ok: false, error: busy('load') });
  if (running) return withLoaded<Turn<T>>({ ok: false, error: busy(running) });
  running = operation;
  try {
    const result = await outcome(() =>
      inGpuTurn(
        stream.signal,
        (waitingForTab) => stream.send({ waitingForTab }),
        () => work(engine),
      ),
    );
    if (!result.ok && losesModel(result.error)) await dropModel(engine, result.error);
    return withLoaded(result);
  } finally {
    running = null;
  }
}

/** The outcome without its turn: a measurement's wait is not part of its result. */
const withoutTurn = <T>(result: ModelOutcome<Turn<T>>): ModelOutcome<T> =>
  result.ok ? { ok: true, value: result.value.value } : result;

/**
 * The engine API over this module's state (its stores and the loaded model): one engine per
 * thread, as a GPU device and a wasm heap are per thread too. Call it once per thread.
 */
export function createEngineApi(): EngineApi {
  return {
    probe(again = false) {
      if (again) device = null;
      return deviceReport();
    },

    async listStored() {
      const lastUsed = await readUsage(usage);
      const lastUsedAt = (spec: ModelSpec) => lastUsed.get(modelKey(spec)) ?? null;
      const gguf = await listGgufModels(shards, ggufModels, lastUsedAt);
      return [...gguf, ...(await listStoredMlc(mlcRegistry, lastUsedAt))];
    },

    deleteStored: (spec) => outcome(() => deleteModel(spec).then(() => null)),

    importLocal: (file, port) =>
      streamed<ImportStream>(port, async (stream) => {
        if (loading) return { ok: false, error: { kind: 'busy', operation: 'load' } };
        loading = stream.signal;
        try {
          return await outcome(() => importGguf(shards, file, stream.signal, stream.send));
        } finally {
          loading = null;
        }
      }),

    load: (spec, options, port) =>
      loadOnPort(spec, port, (signal, onEvent) => loadModel(spec, options, signal, onEvent)),

    loadFiles: (spec, files, options, port) =>
      loadOnPort(spec, port, (signal, onEvent) =>
        loadFromFiles(spec, files, options, signal, onEvent),
      ),

    generate: (request, port) =>
      streamed<GenerateStream>(port, async (stream) => {
        const result = await run('generate', stream, async (engine) => {
          // The text went as token events: the summary leaves it out.
          const { finishReason, measurements, context } = await engine.generate(
            request,
            (text) => stream.send({ text }),
            stream.signal,
          );
          return { finishReason, measurements, ...(context && { context }) };
        });
        if (!result.ok) {
          // Stopped while it waited for another tab: an answer stopped before its first token.
          return result.error.kind === 'cancelled'
            ? { ok: true, value: { finishReason: 'aborted' as const, measurements: NOTHING_RUN } }
            : result;
        }
        const { value, waitedMs } = result.value;
        return { ok: true, value: { ...value, ...(waitedMs > 0 && { waitedForTabMs: waitedMs }) } };
      }),

    score: (request, port) =>
      streamed<ScoreStream>(port, async (stream) =>
        withoutTurn(
          await run('measure', stream, (engine) =>
            engine.score(request, stream.send, stream.signal),
          ),
        ),
      ),

    benchmark: (request, port) =>
      streamed<BenchmarkStream>(port, async (stream) =>
        withoutTurn(
          await run('measure', stream, (engine) =>
            engine.benchmark(request, stream.send, stream.signal),
          ),
        ),
      ),

    lostModel: () => new Promise<LostModel>((resolve) => lostWaiters.push(resolve)),

    async unload() {
      if (loading) return { ok: false, error: busy('load') };
      if (running) return { ok: false, error: busy(running) };
      await unloadCurrent();
      return { ok: true, value: null };
    },

    otherTabsModels,

    networkLog: () => Promise.resolve(contactedOrigins()),
  };
}
