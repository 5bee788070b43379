/**
 * The one place that defines the inference worker's API: every method, DTO, event and error that
 * crosses the worker boundary. The worker `expose()`s an object that `satisfies EngineApi`; exactly
 * one client module (`engine-client.ts`) `wrap()`s it. Everything here is structured-clone friendly
 * (plain data, no classes), because Comlink drops prototypes and fields of class instances.
 */

/** Which engine family runs a model. */
export type EngineKind = 'mlc' | 'gguf';

/** What the browser offers for inference, read inside the worker where inference runs. */
export interface DeviceReport {
  gpu: GpuReport;
  /** WebAssembly features the GGUF engine (llama.cpp in wasm) needs on every backend. */
  wasm: { simd: boolean; exceptions: boolean; jspi: boolean; memory64: boolean };
  logicalCores: number;
  /** `navigator.deviceMemory` in GiB where the browser exposes it (Chromium caps it at 8). */
  deviceMemoryGiB: number | null;
}

export type GpuReport =
  | { status: 'no-api' }
  | { status: 'no-adapter' }
  | {
      status: 'available';
      vendor: string;
      architecture: string;
      device: string;
      description: string;
      shaderF16: boolean;
      maxBufferSize: number;
      maxStorageBufferBindingSize: number;
      isFallbackAdapter: boolean;
    };

/** What to load. GGUF models are identified by the URL of their file. */
export type ModelSpec =
  { engine: 'gguf'; url: string; label: string } | { engine: 'mlc'; modelId: string };

/** `auto` uses WebGPU when the adapter can run the model, the CPU otherwise. */
export type BackendPreference = 'auto' | 'cpu';

export interface LoadOptions {
  backend: BackendPreference;
}

/** The backend that actually ran, as reported by the engine (never the one merely requested). */
export type Backend = { kind: 'webgpu'; adapter: string } | { kind: 'cpu'; threads: number };

export interface LoadedModel {
  spec: ModelSpec;
  /** Human-readable name (GGUF `general.name` or the MLC model id). */
  name: string;
  backend: Backend;
  contextSize: number;
  /** Without a chat template the model can only continue text (completion mode). */
  hasChatTemplate: boolean;
  /** True when every byte came from IndexedDB and no request was made to the model host. */
  fromStorage: boolean;
  sizeBytes: number | null;
}

/** A model whose files are complete in IndexedDB. */
export interface StoredModel {
  spec: ModelSpec;
  sizeBytes: number | null;
  storedAt: number;
}

/** Progress of a load; `at` is `Date.now()` in the worker, comparable across threads. */
export type LoadEvent =
  | { type: 'download'; loadedBytes: number; totalBytes: number | null; at: number }
  | { type: 'stage'; stage: 'verifying' | 'initializing' };

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface SamplingSettings {
  /** 0 means greedy decoding. */
  temperature: number;
  maxTokens: number;
}

export type GenerateRequest =
  | { mode: 'chat'; messages: ChatTurn[]; sampling: SamplingSettings }
  | { mode: 'complete'; prompt: string; sampling: SamplingSettings };

/** Streamed once per decoded piece of text, as soon as the engine produces it. */
export interface TokenEvent {
  text: string;
}

/** Raw measurements of one run, taken in the worker where tokens are produced. */
export interface RunMeasurements {
  promptTokens: number;
  outputTokens: number;
  /** Engine-reported time spent processing the prompt, in ms. */
  prefillMs: number;
  /** Engine-reported time spent generating tokens after the first, in ms. */
  decodeMs: number;
}

export interface GenerationResult {
  text: string;
  finishReason: 'stop' | 'length' | 'aborted';
  measurements: RunMeasurements;
}

/**
 * Every failure that can cross the worker, as data. `error-messages.ts` maps each kind to a
 * message that says what to do next.
 */
export type EngineError =
  | { kind: 'download-failed'; url: string; status: number | null; detail: string }
  | { kind: 'host-not-allowed'; url: string; allowedHosts: string[] }
  | { kind: 'download-incomplete'; url: string; expectedBytes: number; receivedBytes: number }
  | { kind: 'not-gguf'; source: string }
  | { kind: 'unsupported-gguf-version'; source: string; version: number }
  | { kind: 'truncated-file'; source: string; expectedBytes: number | null; actualBytes: number }
  | { kind: 'model-load-failed'; detail: string }
  | { kind: 'unknown-model'; modelId: string }
  | { kind: 'no-webgpu'; modelId: string }
  | { kind: 'needs-shader-f16'; modelId: string }
  | { kind: 'buffer-too-small'; modelId: string; requiredBytes: number; availableBytes: number }
  | { kind: 'storage-full'; detail: string }
  | { kind: 'context-overflow'; contextSize: number }
  | { kind: 'gpu-device-lost'; detail: string }
  | { kind: 'no-model-loaded' }
  | { kind: 'busy'; operation: 'load' | 'generate' }
  | { kind: 'cancelled' }
  | { kind: 'generation-failed'; detail: string }
  | { kind: 'internal'; detail: string };

/** Results cross the worker as data instead of thrown errors, so nothing is flattened to a string. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: EngineError };

/**
 * The API the inference worker exposes. Callbacks must be passed wrapped in `Comlink.proxy`; the
 * worker delivers every event before the call that sent it resolves (see `orderedEvents`).
 */
/** One origin the worker sent requests to in this session. */
export interface OriginContact {
  origin: string;
  requests: number;
  /** Epoch ms of the first and the latest request. */
  firstAt: number;
  lastAt: number;
}

export interface EngineApi {
  /** Reads the WebGPU adapter and wasm features as seen from the worker. */
  probe: () => Promise<DeviceReport>;

  /** Models whose files are complete in IndexedDB (partial downloads are never listed). */
  listStored: () => Promise<StoredModel[]>;

  /** The model loaded now, if any (after a failed load, the previous one may still be). */
  current: () => Promise<LoadedModel | null>;

  /**
   * Downloads `spec` (or reads it from IndexedDB), checks it, then replaces the current model with
   * it. A GGUF file that fails to download or check leaves the current model loaded. Ends with
   * `cancelled` after `cancelLoad()`.
   */
  load: (
    spec: ModelSpec,
    options: LoadOptions,
    onEvent: (event: LoadEvent) => void,
  ) => Promise<Outcome<LoadedModel>>;

  /** Aborts the load in progress, if any. */
  cancelLoad: () => void;

  /**
   * Generates with the loaded model, streaming text through `onToken`. After `stopGeneration()`
   * it resolves with the partial text and `finishReason: 'aborted'`.
   */
  generate: (
    request: GenerateRequest,
    onToken: (event: TokenEvent) => void,
  ) => Promise<Outcome<GenerationResult>>;

  /** Stops the generation in progress, if any. */
  stopGeneration: () => void;

  /**
   * Every origin the worker has sent a request to in this session (model downloads, web-llm's
   * fetches), recorded when the request starts, whatever its outcome.
   */
  networkLog: () => Promise<OriginContact[]>;
}

/**
 * Comlink delivers each proxied callback over a channel of its own, so an event sent just before a
 * method returns could reach the main thread after the result. The worker sends events through
 * this and awaits `delivered()` before it returns: the main thread acknowledges each call in
 * order, so once the last one is acknowledged, every event has been seen.
 */
export function orderedEvents<T>(callback: (event: T) => void) {
  let last: Promise<unknown> = Promise.resolve();
  return {
    send: (event: T): void => {
      // Across Comlink the callback returns a promise that settles once the main thread ran it.
      last = Promise.resolve(callback(event) as unknown).catch(() => undefined);
    },
    delivered: () => last,
  };
}
