/**
 * The one place that defines the inference worker's API: every method, DTO, event and error that
 * crosses the worker boundary. The worker `expose()`s an object that `satisfies EngineApi`; exactly
 * one client module (`engine-client.ts`) `wrap()`s it. Everything here is structured-clone friendly
 * (plain data, no classes), because Comlink drops prototypes and fields of class instances.
 */

import type { StreamMessage } from './event-stream.ts';
import type { ThinkingSupport } from './thinking.ts';

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

/**
 * One file of a GGUF model, with what is known of it before the download: Hugging Face lists the
 * size and SHA-256 of LFS files; a plain URL knows neither (the server's Content-Length still
 * decides the size).
 */
export interface GgufPart {
  url: string;
  sizeBytes: number | null;
  /** Lower-case hex. */
  sha256: string | null;
}

/**
 * What to load. A GGUF model is identified by `url`: its file's URL, the first part's URL for a
 * split model (`-00001-of-0000N.gguf`), or `local:…` for a file picked from this device. `parts`
 * lists every file in order; without it the model is the one file at `url`.
 */
export type ModelSpec =
  | { engine: 'gguf'; url: string; label: string; parts?: GgufPart[] }
  | { engine: 'mlc'; modelId: string };

/** `auto` uses WebGPU when the adapter can run the model, the CPU otherwise. */
export type BackendPreference = 'auto' | 'cpu';

export interface LoadOptions {
  backend: BackendPreference;
  /**
   * The context window to allocate, in tokens (see `context-size.ts`); capped at what the model
   * was trained for (GGUF) or built for (MLC). Absent: `DEFAULT_CONTEXT_SIZE`.
   */
  contextSize?: number;
  /**
   * Hash a stored GGUF model's bytes before it is used, where its SHA-256 was recorded at the
   * download, and treat a mismatch as damage (`stored-model-damaged`). Slow for big models
   * (about 160 MB/s here), so off unless the user asks (`Preferences.verifyStoredSha256`).
   */
  verifySha256?: boolean;
}

/** The backend that actually ran, as reported by the engine (never the one merely requested). */
export type Backend = { kind: 'webgpu'; adapter: string } | { kind: 'cpu'; threads: number };

/**
 * Memory a loaded model holds, as the engine reports it (llama.cpp's load log: its model, KV
 * cache and compute buffers on every device, summed). Null fields were not reported.
 */
export interface ModelMemory {
  weightsBytes: number | null;
  kvCacheBytes: number | null;
  computeBytes: number | null;
}

export interface LoadedModel {
  spec: ModelSpec;
  /** Human-readable name (GGUF `general.name` or the MLC model id). */
  name: string;
  backend: Backend;
  contextSize: number;
  /** Without a chat template the model can only continue text (completion mode). */
  hasChatTemplate: boolean;
  /** Whether the model thinks before it answers, and whether that can be switched off. */
  thinking: ThinkingSupport;
  /** True when every byte came from IndexedDB and no request was made to the model host. */
  fromStorage: boolean;
  sizeBytes: number | null;
  /** From handing the stored bytes to the engine to a model ready to answer (no download). */
  loadMs: number;
  memory: ModelMemory;
  /** Elements and bytes of every weight tensor (GGUF header); null where not known. */
  weights: { parameters: number; bytes: number } | null;
  /** Tokens in the model's vocabulary; null where the engine does not say. */
  vocabSize: number | null;
}

/**
 * A model in IndexedDB: complete, or a partial download that can be resumed or discarded. Every
 * size is in bytes; null where it is not known (web-llm does not say how much an MLC model takes,
 * so `storedBytes` is then the growth of the origin's usage measured when it was downloaded).
 */
export interface StoredModel {
  spec: ModelSpec;
  status: 'complete' | 'partial';
  sizeBytes: number | null;
  storedBytes: number | null;
  quantization: string | null;
  storedAt: number;
  lastUsedAt: number | null;
}

/**
 * Progress of a load; `at` is `Date.now()` in the worker, comparable across threads.
 * `inOtherTab`: another tab of this app holds the download and these are its figures.
 */
export type LoadEvent =
  | {
      type: 'download';
      loadedBytes: number;
      totalBytes: number | null;
      at: number;
      inOtherTab: boolean;
    }
  | { type: 'stage'; stage: 'verifying' | 'initializing' }
  /** The stored bytes hashed so far, of every part whose SHA-256 is known (`verifySha256`). */
  | { type: 'hashing'; hashedBytes: number; totalBytes: number };

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * How the next token is chosen. Only temperature and max tokens are required (the lab sends
 * just those); an absent field is the engine's default. web-llm has no top-k and no min-p: an MLC
 * model ignores them (`mlc-engine.ts`).
 */
export interface SamplingSettings {
  /** 0 means greedy decoding. */
  temperature: number;
  maxTokens: number;
  /** Nucleus sampling: only the most likely tokens whose probabilities add up to this (1: off). */
  topP?: number;
  /** Only the K most likely tokens (0: off). */
  topK?: number;
  /** Only tokens at least this fraction as likely as the most likely one (0: off). */
  minP?: number;
  /** Divides the odds of tokens already in the recent text (1: off). */
  repeatPenalty?: number;
  /** The random choices' seed: the same prompt and settings then give the same answer. */
  seed?: number;
}

/**
 * What a chat does when its next turn does not fit the context (`context-fit.ts`):
 * `drop-oldest` leaves out the oldest exchanges (never the system prompt, never the new
 * message); `stop` refuses with `context-full` and leaves the choice to the user.
 */
export type ContextPolicy = 'drop-oldest' | 'stop';

/**
 * What a run took of the context, as the engine counted it (chat template markup, special
 * tokens and tokens reused from the engine's cache included).
 */
export interface ContextUse {
  /** Tokens of the prompt the model read; null where the engine does not say (web-llm). */
  promptTokens: number | null;
  /** The context window the model was loaded with. */
  contextSize: number;
  /** How many of the request's messages were left out to fit, oldest first (0: none). */
  droppedMessages: number;
}

export type GenerateRequest =
  | {
      mode: 'chat';
      messages: ChatTurn[];
      sampling: SamplingSettings;
      /**
       * Thinking on or off, for a model whose template has the switch
       * (`LoadedModel.thinking.switchable`); absent, the template's default (on, for Qwen3).
       */
      thinking?: boolean;
      /**
       * Fit the conversation to the context before answering, by this policy. Absent: the
       * messages go as they are, and a prompt longer than the context fails (`context-overflow`).
       */
      fit?: ContextPolicy;
    }
  | { mode: 'complete'; prompt: string; sampling: SamplingSettings };

/**
 * Streamed once per decoded piece of text, as soon as the engine produces it. Reasoning that an
 * engine gives apart from the answer is streamed between `THINK_OPEN` and `THINK_CLOSE`, as the
 * model wrote it (see `thinking.ts`).
 */
export interface TokenEvent {
  text: string;
}

/**
 * Sent by an answer, a scoring or a benchmark that has to wait for another tab's model to finish
 * (one at a time per origin, see `gpu-turn.ts`): `waiting: true`, then `false` when its turn comes.
 */
export interface TurnEvent {
  waitingForTab: boolean;
}

/** Raw measurements of one run, taken in the worker where tokens are produced. */
export interface RunMeasurements {
  promptTokens: number;
  outputTokens: number;
  /** Engine-reported time spent processing the prompt, in ms. */
  prefillMs: number;
  /** Engine-reported time spent generating tokens after the first, in ms. */
  decodeMs: number;
  /**
   * Tokens of the prompt the engine reused from its cache instead of processing them again
   * (not in `promptTokens`, which counts what the prefill processed); absent where not reported.
   */
  cachedPromptTokens?: number;
}

/** How a run ended, as the worker reports it; the text itself arrived as its token events. */
export interface GenerationSummary {
  finishReason: 'stop' | 'length' | 'aborted';
  measurements: RunMeasurements;
  /** What the run took of the context; absent where the engine cannot say. */
  context?: ContextUse;
  /** How long it waited for another tab's answer before it started, in ms; absent if it did not. */
  waitedForTabMs?: number;
}

export interface GenerationResult extends GenerationSummary {
  text: string;
}

/** One token and the model's log-probability of it (natural log, from the raw logits). */
export interface TokenLogprob {
  token: number;
  logprob: number;
}

/**
 * One position of a teacher-forced text: the token the text has there, how likely the model
 * found it, and the model's most likely tokens there (most likely first).
 */
export interface TokenScore extends TokenLogprob {
  /** The piece of text this token stands for. */
  text: string;
  top: TokenLogprob[];
}

/**
 * Teacher-forced scoring, as llama.cpp's perplexity tool does it: the model reads `prompt`, then
 * is made to produce `target` token by token, and reports at each position the log-probability
 * of the forced token and its `topK` most likely tokens (all from the raw logits, before any
 * sampling). The first variant of a comparison forces the text; the others force the tokens the
 * first one produced, so that every variant is scored on the same sequence.
 */
export interface ScoreRequest {
  /** Context only, never scored. Not empty: the engine needs a prompt to start from. */
  prompt: string;
  /** A text target is scored for at most `maxTokens` tokens (its start); tokens are all scored. */
  target: { text: string; maxTokens: number } | { tokens: number[] };
  topK: number;
}

export interface ScoreResult {
  promptTokens: number;
  positions: TokenScore[];
  /**
   * Tokens the engine makes of prompt + target text read as one prompt: the canonical
   * tokenization. It equals `promptTokens + positions.length` when the forced tokens are the
   * canonical ones. Null when the target was given as tokens.
   */
  canonicalTokens: number | null;
  /** The top-K actually used (the engine may have to lower it; see `wllama-engine.ts`). */
  topK: number;
  /**
   * Where the forced tokens came from: the request's own (`given`), the model's tokenizer run as
   * llama.cpp runs it (`canonical`), or, where that tokenizer cannot be reproduced here, the
   * model's own greedy choice among the tokens that spell the text (`greedy`, with the reason).
   */
  tokenization: { kind: 'given' | 'canonical' } | { kind: 'greedy'; reason: string };
}

/** Progress of a scoring run: positions scored so far out of how many (when known). */
export interface ScoreEvent {
  scored: number;
  total: number | null;
}

/**
 * Speed as llama-bench measures it: prefill of a prompt of about `promptTokens` tokens, then
 * `decodeTokens` generated tokens (end-of-text ignored), `repetitions` times, nothing cached.
 */
export interface BenchmarkRequest {
  promptText: string;
  decodeTokens: number;
  repetitions: number;
}

/** One repetition, by the engine's own timings. */
export interface BenchmarkRun {
  prefill: { tokens: number; ms: number };
  decode: { tokens: number; ms: number };
}

export interface BenchmarkEvent {
  repetition: number;
  of: number;
}

/** A model by its label, and about how much memory it takes (bytes). */
export interface SizedModel {
  label: string;
  bytes: number;
}

/** Which memory limit of the device a model is measured against (see `memory-estimate.ts`). */
export type MemoryLimit = 'device memory' | 'WebAssembly memory (CPU backend)';

/**
 * Every failure that can cross the worker, as data. `error-messages.ts` maps each kind to a
 * message that says what to do next.
 */
export type EngineError =
  | { kind: 'download-failed'; url: string; status: number | null; detail: string }
  | { kind: 'host-not-allowed'; url: string; allowedHosts: string[] }
  /** The connection ended early; `storedBytes` are kept and a new load resumes after them. */
  | {
      kind: 'download-incomplete';
      url: string;
      expectedBytes: number;
      receivedBytes: number;
      storedBytes: number;
    }
  /** The file's size is not the one its source announced (listing or earlier response). */
  | { kind: 'size-mismatch'; url: string; expectedBytes: number; actualBytes: number }
  | { kind: 'checksum-mismatch'; url: string; expectedSha256: string; actualSha256: string }
  /** Refused before downloading: the rest of the model does not fit in the browser's quota. */
  | { kind: 'not-enough-storage'; neededBytes: number; availableBytes: number; quotaBytes: number }
  | { kind: 'not-gguf'; source: string }
  | { kind: 'unsupported-gguf-version'; source: string; version: number }
  /** The file ends before what its (plausible) header describes: a copy cut short. */
  | { kind: 'truncated-file'; source: string; expectedBytes: number | null; actualBytes: number }
  /**
   * The header breaks the GGUF format or contradicts itself (e.g. it claims 10^12 tensors, or
   * tensors that overlap): the file is broken at its source, and downloading it again cannot
   * help. `problem` says what, in words.
   */
  | { kind: 'malformed-gguf'; source: string; problem: string }
  /**
   * A model stored complete failed its checks when opened (a piece evicted or cut, a header
   * that no longer reads): its copy was discarded; nothing else was touched. `local`: a file
   * from this device, which only picking it again brings back.
   */
  | { kind: 'stored-model-damaged'; label: string; problem: string; local: boolean }
  | { kind: 'model-load-failed'; detail: string }
  | { kind: 'unknown-model'; modelId: string }
  | { kind: 'no-webgpu'; modelId: string }
  | { kind: 'needs-shader-f16'; modelId: string }
  | { kind: 'buffer-too-small'; modelId: string; requiredBytes: number; availableBytes: number }
  /** The quota ran out mid-download; `storedBytes` are kept and can be resumed. */
  | { kind: 'storage-full'; detail: string; storedBytes: number | null }
  /** Another tab is downloading this model, so it cannot be deleted now. */
  | { kind: 'model-in-use'; label: string }
  | { kind: 'context-overflow'; contextSize: number }
  /**
   * The conversation and the room kept for the answer (`reserveTokens`) outgrew the context, and
   * the chat's policy is to stop (`ContextPolicy`) rather than leave out its oldest turns.
   */
  | { kind: 'context-full'; promptTokens: number; reserveTokens: number; contextSize: number }
  | { kind: 'gpu-device-lost'; detail: string }
  /**
   * The engine's worker stopped (llama.cpp's own, or the inference worker): the browser ended
   * it, most often for memory. `neededBytes` is the estimate for the model it held or was
   * loading (weights and KV cache) and `limitBytes` the tightest memory the device reports;
   * null where not known.
   */
  | {
      kind: 'engine-crashed';
      detail: string;
      neededBytes: number | null;
      limitBytes: number | null;
    }
  /**
   * llama.cpp could not allocate what a model needs at this context size: its weights, its KV
   * cache (which grows with the context) or its working buffers. `neededBytes` estimates weights
   * and KV cache; `limitBytes` is the memory that ran out where it is known (llama.cpp's
   * WebAssembly heap on the CPU; a GPU's memory is not known to the page); `fitsContext` is a
   * smaller offered context that should load, or null.
   */
  | {
      kind: 'out-of-memory';
      part: MemoryPart;
      backend: 'webgpu' | 'cpu';
      contextSize: number;
      neededBytes: number;
      limitBytes: number | null;
      fitsContext: number | null;
    }
  /**
   * Refused before loading, until the user says to load anyway: the models that other tabs of
   * this origin hold and this one would together need more memory than `limitBytes`, and the
   * browser may then end a tab. Nothing was loaded or unloaded.
   */
  | {
      kind: 'other-tabs-memory';
      others: SizedModel[];
      model: SizedModel;
      /** The device's memory. */
      limitBytes: number;
    }
  | { kind: 'no-model-loaded' }
  /** `measure`: scoring or a speed benchmark (the quantization lab). */
  | { kind: 'busy'; operation: 'load' | 'generate' | 'measure' }
  | { kind: 'cancelled' }
  | { kind: 'generation-failed'; detail: string }
  /** The loaded model's engine cannot do this (e.g. teacher-forced scoring on web-llm). */
  | { kind: 'not-supported'; operation: string; engine: EngineKind }
  | { kind: 'internal'; detail: string };

/** What part of a model's memory could not be allocated (see `out-of-memory`). */
export type MemoryPart = 'weights' | 'kv-cache' | 'working-buffers';

/** Results cross the worker as data instead of thrown errors, so nothing is flattened to a string. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: EngineError };

/**
 * The outcome of a load or an answer. A failure also says which model is loaded now (a failed
 * load leaves the previous one; a lost GPU device leaves none), so nobody has to ask again.
 */
export type ModelOutcome<T> =
  { ok: true; value: T } | { ok: false; error: EngineError; loaded: LoadedModel | null };

/** What each streamed operation sends on its port (see `event-stream.ts`), and how it ends. */
export type ImportStream = StreamMessage<LoadEvent, Outcome<ModelSpec>>;
export type LoadStream = StreamMessage<LoadEvent, ModelOutcome<LoadedModel>>;
export type GenerateStream = StreamMessage<TokenEvent | TurnEvent, ModelOutcome<GenerationSummary>>;
export type ScoreStream = StreamMessage<ScoreEvent | TurnEvent, ModelOutcome<ScoreResult>>;
export type BenchmarkStream = StreamMessage<
  BenchmarkEvent | TurnEvent,
  ModelOutcome<BenchmarkRun[]>
>;

/** A model the engine dropped by itself (see `EngineApi.lostModel`). */
export interface LostModel {
  spec: ModelSpec;
  error: EngineError;
}

/** One origin the worker sent requests to in this session. */
export interface OriginContact {
  origin: string;
  requests: number;
  /** Epoch ms of the first and the latest request. */
  firstAt: number;
  lastAt: number;
}

/**
 * The API the inference worker exposes (and `createEngineApi` implements, in any thread). Every
 * method returns a promise, so a Comlink remote of it is an `EngineApi` too. The long operations
 * take a `MessagePort` (transferred) and stream their events and their end on it; the caller
 * cancels through the same port.
 */
export interface EngineApi {
  /**
   * Reads the WebGPU adapter and wasm features as seen from the worker, once; `again` reads them
   * anew (an adapter may have come back since: the GPU process restarts after a crash).
   */
  probe: (again?: boolean) => Promise<DeviceReport>;

  /** Every model in IndexedDB, complete or partial (a partial one is never loadable as is). */
  listStored: () => Promise<StoredModel[]>;

  /** Deletes a stored model (complete or partial) and every byte of it. */
  deleteStored: (spec: ModelSpec) => Promise<Outcome<null>>;

  /**
   * Copies a file picked on this device into IndexedDB (no network), checks it, and ends with
   * the spec to `load` it with. Streams an `ImportStream` on `events`.
   */
  importLocal: (file: File, events: MessagePort) => Promise<void>;

  /**
   * Downloads `spec` (or reads it from IndexedDB), checks it, then replaces the current model with
   * it, streaming a `LoadStream` on `events`. A GGUF download resumes where an earlier one
   * stopped; while another tab downloads the same model this one waits (reporting that tab's
   * progress) and then uses the stored copy. A GGUF file that fails to download or check leaves
   * the current model loaded. Cancelled, it ends with `cancelled`, keeping what was downloaded
   * for a later resume.
   */
  load: (spec: ModelSpec, options: LoadOptions, events: MessagePort) => Promise<void>;

  /**
   * Loads a GGUF model from files the caller read itself (one Blob per part, in order), streaming
   * a `LoadStream` on `events`: an embedded widget reads them in its window from its origin's own
   * IndexedDB, which storage access opens to that window only, never to a worker. Each file is
   * checked as a stored one is; nothing is downloaded or stored. An MLC spec fails with
   * `not-supported`.
   */
  loadFiles: (
    spec: ModelSpec,
    files: Blob[],
    options: LoadOptions,
    events: MessagePort,
  ) => Promise<void>;

  /**
   * Generates with the loaded model, streaming a `GenerateStream` on `events`: one event per
   * decoded piece of text, then the summary. Cancelled, it ends with `finishReason: 'aborted'`.
   */
  generate: (request: GenerateRequest, events: MessagePort) => Promise<void>;

  /**
   * Teacher-forces a text (or tokens) through the loaded model, streaming a `ScoreStream`:
   * progress, then every position's scores. Fails with `not-supported` where the engine cannot.
   */
  score: (request: ScoreRequest, events: MessagePort) => Promise<void>;

  /** Measures prefill and decode speed of the loaded model, streaming a `BenchmarkStream`. */
  benchmark: (request: BenchmarkRequest, events: MessagePort) => Promise<void>;

  /**
   * Settles when the loaded model stops being usable while no call runs on it (its GPU device
   * lost, llama.cpp's worker dead), once the engine has dropped it: which model, and why. A
   * failure during a call is that call's own error instead. Each call waits for the next loss.
   */
  lostModel: () => Promise<LostModel>;

  /**
   * The models that other tabs of this origin hold loaded now, each with about the memory it
   * takes (this tab's own model left out), so that a load can warn before the tabs together
   * outgrow the device's memory. Empty where the browser has no Web Locks.
   */
  otherTabsModels: () => Promise<SizedModel[]>;

  /** Frees the loaded model's memory; refused (`busy`) while a load or a run is under way. */
  unload: () => Promise<Outcome<null>>;

  /**
   * Every origin the worker has sent a request to in this session (model downloads, web-llm's
   * fetches), recorded when the request starts, whatever its outcome.
   */
  networkLog: () => Promise<OriginContact[]>;
}
