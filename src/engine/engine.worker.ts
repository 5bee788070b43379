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
  StoredModel,
} from '../lib/engine-protocol.ts';
import { orderedEvents } from '../lib/engine-protocol.ts';
import { probeDevice } from './device/probe-device.ts';
import { describe, EngineFailure, isAbortError } from './engine-failure.ts';
import { openGguf } from './gguf/open-gguf.ts';
import type { LocalEngine } from './local-engine.ts';
import { contactedOrigins, logRequestsOf } from './network-log.ts';
import {
  forgetMlcModel,
  listMlcRecords,
  openMlcRegistry,
  rememberMlcModel,
} from './mlc/mlc-registry.ts';
import { listCompleteFiles, openShardStore } from './storage/shard-store.ts';

logRequestsOf(self);

const shards = openShardStore();
const mlcRegistry = openMlcRegistry();

let device: Promise<DeviceReport> | null = null;
let current: LocalEngine | null = null;
let loading: AbortController | null = null;
let generating: AbortController | null = null;

const deviceReport = () => (device ??= probeDevice());

function toEngineError(cause: unknown): EngineError {
  if (cause instanceof EngineFailure) return cause.error;
  if (isAbortError(cause)) return { kind: 'cancelled' };
  if (cause instanceof DOMException && cause.name === 'QuotaExceededError') {
    return { kind: 'storage-full', detail: cause.message };
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
    // The current model stays usable until the new file is stored and checked.
    const opened = await openGguf(shards, spec.url, spec.label, signal, onEvent);
    if (signal.aborted) throw new EngineFailure({ kind: 'cancelled' });
    await unloadCurrent();
    onEvent({ type: 'stage', stage: 'initializing' });
    const { loadWllamaEngine } = await import('./gguf/wllama-engine.ts');
    return loadWllamaEngine({ spec, ...opened, backend: options.backend, gpu });
  }

  const mlc = await import('./mlc/mlc-engine.ts');
  mlc.checkMlcModel(spec.modelId, gpu); // refuse before unloading anything
  await unloadCurrent();
  const engine = await mlc.loadMlcEngine({ modelId: spec.modelId, gpu, signal, onEvent });
  // Only listing depends on this record; failing to write it must not orphan a loaded model.
  await rememberMlcModel(mlcRegistry, spec.modelId).catch((cause: unknown) =>
    console.warn('could not record the stored MLC model', cause),
  );
  return engine;
}

async function listStoredMlc(): Promise<StoredModel[]> {
  const records = await listMlcRecords(mlcRegistry);
  if (records.length === 0) return [];
  const { hasModelInCache } = await import('@mlc-ai/web-llm');
  const { mlcAppConfig } = await import('./mlc/mlc-engine.ts');
  const stored: StoredModel[] = [];
  for (const record of records) {
    if (await hasModelInCache(record.modelId, mlcAppConfig).catch(() => false)) {
      stored.push({
        spec: { engine: 'mlc', modelId: record.modelId },
        sizeBytes: null,
        storedAt: record.storedAt,
      });
    } else {
      await forgetMlcModel(mlcRegistry, record.modelId); // evicted or deleted elsewhere
    }
  }
  return stored;
}

const api = {
  probe: deviceReport,

  async listStored() {
    const files = await listCompleteFiles(shards);
    const gguf: StoredModel[] = files.map((file) => ({
      spec: { engine: 'gguf', url: file.url, label: file.label },
      sizeBytes: file.sizeBytes,
      storedAt: file.storedAt,
    }));
    return [...gguf, ...(await listStoredMlc())];
  },

  current: () => Promise.resolve(current?.loaded ?? null),

  async load(spec, options, onEvent) {
    if (loading) return { ok: false, error: { kind: 'busy', operation: 'load' } };
    if (generating) return { ok: false, error: { kind: 'busy', operation: 'generate' } };
    const controller = new AbortController();
    loading = controller;
    const events = orderedEvents(onEvent);
    try {
      return await outcome(async () => {
        const engine = await loadModel(spec, options, controller.signal, events.send);
        if (controller.signal.aborted) {
          await engine.unload();
          throw new EngineFailure({ kind: 'cancelled' });
        }
        current = engine;
        return engine.loaded;
      });
    } finally {
      await events.delivered();
      loading = null;
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
