/**
 * The inference worker. Everything that touches a model runs here: downloads into IndexedDB,
 * llama.cpp (wllama) and web-llm. The main thread reaches it only through `engine-client.ts`.
 */
import { expose } from 'comlink';
import type {
  DeviceReport,
  EngineApi,
  EngineError,
  LoadEvent,
  LoadOptions,
  ModelSpec,
  Outcome,
} from '../shared/engine-protocol.ts';
import { orderedEvents } from '../shared/engine-protocol.ts';
import { probeDevice } from './device/probe-device.ts';
import { describe, EngineFailure, isAbortError } from './engine-failure.ts';
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
import { contactedOrigins, logRequestsOf } from './network-log.ts';
import { openMlcRegistry, rememberMlcModel } from './mlc/mlc-registry.ts';
import { openShardStore } from './storage/shard-store.ts';
import { modelKey } from '../shared/model-keys.ts';

logRequestsOf(self);

const shards = openShardStore();
const ggufModels = openGgufModels();
const mlcRegistry = openMlcRegistry();
const usage = openUsageStore();

let device: Promise<DeviceReport> | null = null;
let current: LocalEngine | null = null;
let loading: AbortController | null = null;
/** The model being loaded (or imported) now, so that it is not deleted under the download. */
let loadingKey: string | null = null;
let generating: AbortController | null = null;

const deviceReport = () => (device ??= probeDevice());

function toEngineError(cause: unknown): EngineError {
  if (cause instanceof EngineFailure) return cause.error;
  if (isAbortError(cause)) return { kind: 'cancelled' };
  if (cause instanceof DOMException && cause.name === 'QuotaExceededError') {
    return { kind: 'storage-full', detail: cause.message, storedBytes: null };
  }
  return { kind: 'internal', detail: describe(cause) };
}

async function outcome<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (cause) {
    return { ok: false, error: toEngineError(cause) };
  }
}

async function unloadCurrent(): Promise<void> {
  const engine = current;
  current = null;
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
    const opened = await openGguf(shards, spec, signal, onEvent);
    if (signal.aborted) throw new EngineFailure({ kind: 'cancelled' });
    await unloadCurrent();
    onEvent({ type: 'stage', stage: 'initializing' });
    const { loadWllamaEngine } = await import('./gguf/wllama-engine.ts');
    return loadWllamaEngine({ spec, ...opened, backend: options.backend, gpu });
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

/** Deletes a model's bytes, unless this tab is loading it or another tab is downloading it. */
async function deleteModel(spec: ModelSpec): Promise<void> {
  if (loadingKey === modelKey(spec)) throw new EngineFailure({ kind: 'busy', operation: 'load' });
  if (spec.engine === 'mlc') await deleteMlcModel(mlcRegistry, spec.modelId);
  else await deleteGgufModelUnlessDownloading(shards, ggufModels, spec);
  await forgetUsage(usage, spec);
}

const api = {
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

  async importLocal(file, onEvent) {
    if (loading) return { ok: false, error: { kind: 'busy', operation: 'load' } };
    const controller = new AbortController();
    loading = controller;
    const events = orderedEvents(onEvent);
    try {
      return await outcome(() => importGguf(shards, file, controller.signal, events.send));
    } finally {
      await events.delivered();
      loading = null;
    }
  },

  current: () => Promise.resolve(current?.loaded ?? null),

  async load(spec, options, onEvent) {
    if (loading) return { ok: false, error: { kind: 'busy', operation: 'load' } };
    if (generating) return { ok: false, error: { kind: 'busy', operation: 'generate' } };
    const controller = new AbortController();
    loading = controller;
    loadingKey = modelKey(spec);
    const events = orderedEvents(onEvent);
    try {
      return await outcome(async () => {
        const engine = await loadModel(spec, options, controller.signal, events.send);
        if (controller.signal.aborted) {
          await engine.unload();
          throw new EngineFailure({ kind: 'cancelled' });
        }
        current = engine;
        await markUsed(usage, spec).catch(() => undefined); // only the library's "last used"
        return engine.loaded;
      });
    } finally {
      await events.delivered();
      loading = null;
      loadingKey = null;
    }
  },

  cancelLoad() {
    loading?.abort();
  },

  async generate(request, onToken) {
    const engine = current;
    if (!engine) return { ok: false, error: { kind: 'no-model-loaded' } };
    if (loading) return { ok: false, error: { kind: 'busy', operation: 'load' } };
    if (generating) return { ok: false, error: { kind: 'busy', operation: 'generate' } };
    const controller = new AbortController();
    generating = controller;
    const tokens = orderedEvents(onToken);
    try {
      const result = await outcome(() =>
        engine.generate(request, (text) => tokens.send({ text }), controller.signal),
      );
      // A lost device leaves the model unusable: drop it so the UI offers to load again.
      if (!result.ok && result.error.kind === 'gpu-device-lost') await unloadCurrent();
      return result;
    } finally {
      await tokens.delivered();
      generating = null;
    }
  },

  stopGeneration() {
    generating?.abort();
  },

  networkLog: () => Promise.resolve(contactedOrigins()),
} satisfies EngineApi;

expose(api);
