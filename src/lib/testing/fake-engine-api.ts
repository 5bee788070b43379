import type {
  BenchmarkRun,
  BenchmarkStream,
  ContextUse,
  DeviceReport,
  EngineApi,
  EngineError,
  GenerateRequest,
  GenerateStream,
  ImportStream,
  LoadedModel,
  LoadStream,
  LostModel,
  ModelSpec,
  ScoreRequest,
  ScoreResult,
  ScoreStream,
  SizedModel,
  StoredModel,
} from '../../shared/engine-protocol.ts';
import { streamSender } from '../../shared/event-stream.ts';
import { modelKey, modelLabel } from '../../shared/model-keys.ts';
import { noThinking, type ThinkingSupport } from '../../shared/thinking.ts';

/**
 * A fake of the engine API for tests on the main thread: it speaks the real protocol (ports,
 * streamed events, outcomes) over `inThread`, with scripted models and answers instead of
 * llama.cpp. Use it only where a test says it is about the UI or the stores, never as a
 * stand-in for the real engines (the e2e tests run those).
 */
export interface FakeEngineScript {
  /** The device report, or one per call (`again`: a re-probe). */
  device?: DeviceReport | ((again: boolean) => DeviceReport);
  stored?: StoredModel[];
  /** The pieces of text an answer streams; by default the last user message, echoed in words. */
  answer?: (request: GenerateRequest) => string[];
  /** What loaded models say of thinking; by default they do not think. */
  thinking?: ThinkingSupport;
  /** Milliseconds between pieces (0: as fast as the port goes). */
  tokenDelayMs?: number;
  /** Loads pause after their download progress until this settles (to look at that state). */
  holdLoad?: Promise<void>;
  /** A load of a spec for which this returns an error fails with it. */
  loadError?: (spec: ModelSpec) => EngineError | null;
  /** What other tabs hold loaded, as `EngineApi.otherTabsModels` reports it (none by default). */
  otherTabs?: SizedModel[];
  /** A deletion of a spec for which this returns an error is refused with it. */
  deleteError?: (spec: ModelSpec) => EngineError | null;
  /** One scripted answer per run, in order (then `answer` applies): its pieces and its end. */
  runs?: FakeRun[];
  /** An answer fails with this error after its pieces, if set. */
  generateError?: EngineError;
  /**
   * What scoring with the loaded model gives (or the error it fails with); by default every
   * character of the target is a token that the model found 50 % likely, and most likely.
   */
  score?: (model: LoadedModel, request: ScoreRequest) => ScoreResult | EngineError;
  /** What a benchmark gives; by default 512 prompt tokens in 100 ms and 10 ms per token. */
  benchmark?: (model: LoadedModel) => BenchmarkRun | EngineError;
}

export interface FakeRun {
  pieces: string[];
  finishReason?: 'stop' | 'length';
  error?: EngineError;
  /** What the run reports it took of the context (absent: nothing, as web-llm's completions). */
  context?: ContextUse;
}

export const fakeDevice: DeviceReport = {
  gpu: {
    status: 'available',
    vendor: 'fake',
    architecture: 'test',
    device: '',
    description: 'Fake GPU',
    shaderF16: true,
    maxBufferSize: 2 ** 31,
    maxStorageBufferBindingSize: 2 ** 30,
    isFallbackAdapter: false,
  },
  wasm: { simd: true, exceptions: true, jspi: true, memory64: true },
  logicalCores: 4,
  deviceMemoryGiB: 8,
};

export interface FakeEngineApi extends EngineApi {
  /** Every call made, in order, with its main argument (for assertions). */
  calls: {
    method: keyof EngineApi;
    spec?: ModelSpec;
    request?: GenerateRequest;
    score?: ScoreRequest;
    backend?: string;
  }[];
  loaded: () => LoadedModel | null;
  /** Drops the loaded model as a lost GPU device or a dead engine worker would. */
  loseModel: (error: EngineError) => void;
}

const echo = (request: GenerateRequest): string[] => {
  const text = request.mode === 'chat' ? (request.messages.at(-1)?.content ?? '') : request.prompt;
  return text.split(/(?<= )/);
};

/** Every character a token that the model found 50 % likely, and most likely. */
function fakeScore(_: LoadedModel, request: ScoreRequest): ScoreResult {
  const tokens =
    'tokens' in request.target
      ? request.target.tokens
      : Array.from(request.target.text, (char) => char.codePointAt(0) ?? 0).slice(
          0,
          request.target.maxTokens,
        );
  const half = Math.log(0.5);
  return {
    promptTokens: 2,
    positions: tokens.map((token) => ({
      token,
      logprob: half,
      text: String.fromCodePoint(token),
      top: [{ token, logprob: half }],
    })),
    canonicalTokens: 'text' in request.target ? 2 + tokens.length : null,
    topK: request.topK,
    tokenization: { kind: 'text' in request.target ? 'canonical' : 'given' },
  };
}

const isError = (value: object): value is EngineError => 'kind' in value;

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createFakeEngineApi(script: FakeEngineScript = {}): FakeEngineApi {
  let current: LoadedModel | null = null;
  let stored = [...(script.stored ?? [])];
  const calls: FakeEngineApi['calls'] = [];
  let lostWaiters: ((lost: LostModel) => void)[] = [];

  const asLoaded = (spec: ModelSpec, backend: string): LoadedModel => ({
    spec,
    name: modelLabel(spec),
    backend:
      backend === 'cpu' ? { kind: 'cpu', threads: 1 } : { kind: 'webgpu', adapter: 'Fake GPU' },
    contextSize: 512,
    hasChatTemplate: true,
    thinking: script.thinking ?? noThinking,
    fromStorage: stored.some((s) => modelKey(s.spec) === modelKey(spec)),
    sizeBytes: 1000,
    loadMs: 20,
    memory: { weightsBytes: 1000, kvCacheBytes: 100, computeBytes: 10 },
    weights: { parameters: 2000, bytes: 1000 },
    vocabSize: 512,
  });

  return {
    calls,
    loaded: () => current,
    loseModel: (error) => {
      const model = current;
      current = null;
      const waiters = lostWaiters;
      lostWaiters = [];
      if (model) for (const notify of waiters) notify({ spec: model.spec, error });
    },
    lostModel: () => new Promise<LostModel>((resolve) => lostWaiters.push(resolve)),
    probe: async (again = false) => {
      calls.push({ method: 'probe' });
      const { device = fakeDevice } = script;
      return typeof device === 'function' ? device(again) : device;
    },
    listStored: async () => stored,
    deleteStored: async (spec) => {
      calls.push({ method: 'deleteStored', spec });
      const error = script.deleteError?.(spec);
      if (error) return { ok: false, error };
      stored = stored.filter((s) => modelKey(s.spec) !== modelKey(spec));
      return { ok: true, value: null };
    },
    networkLog: async () => [],
    otherTabsModels: async () => script.otherTabs ?? [],
    unload: async () => {
      calls.push({ method: 'unload' });
      current = null;
      return { ok: true, value: null };
    },

    importLocal: async (file, port) => {
      calls.push({ method: 'importLocal' });
      const sender = streamSender<ImportStream>(port);
      sender.send({ type: 'stage', stage: 'verifying' });
      sender.end({
        ok: true,
        value: { engine: 'gguf', url: `local:${file.name}`, label: file.name },
      });
    },

    load: async (spec, options, port) => {
      calls.push({ method: 'load', spec, backend: options.backend });
      const stream = streamSender<LoadStream>(port);
      stream.send({
        type: 'download',
        loadedBytes: 500,
        totalBytes: 1000,
        at: Date.now(),
        inOtherTab: false,
      });
      await (script.holdLoad ?? wait(5));
      stream.send({ type: 'stage', stage: 'initializing' });
      await wait(5);
      const error =
        script.loadError?.(spec) ?? (stream.signal.aborted ? { kind: 'cancelled' as const } : null);
      if (error) {
        stream.end({ ok: false, error, loaded: current });
        return;
      }
      current = asLoaded(spec, options.backend);
      if (!stored.some((s) => modelKey(s.spec) === modelKey(spec))) {
        stored = [
          ...stored,
          {
            spec,
            status: 'complete',
            sizeBytes: 1000,
            storedBytes: 1000,
            quantization: null,
            storedAt: Date.now(),
            lastUsedAt: null,
          },
        ];
      }
      stream.end({ ok: true, value: current });
    },

    loadFiles: async (spec, files, options, port) => {
      calls.push({ method: 'loadFiles', spec, backend: options.backend });
      const stream = streamSender<LoadStream>(port);
      stream.send({ type: 'stage', stage: 'verifying' });
      const error =
        script.loadError?.(spec) ??
        (files.length === 0 ? { kind: 'internal' as const, detail: 'no files' } : null);
      if (error) {
        stream.end({ ok: false, error, loaded: current });
        return;
      }
      current = { ...asLoaded(spec, options.backend), fromStorage: true };
      stream.end({ ok: true, value: current });
    },

    generate: async (request, port) => {
      calls.push({ method: 'generate', request });
      const stream = streamSender<GenerateStream>(port);
      if (!current) {
        stream.end({ ok: false, error: { kind: 'no-model-loaded' }, loaded: null });
        return;
      }
      const run = script.runs?.shift() ?? {
        pieces: (script.answer ?? echo)(request),
        ...(script.generateError && { error: script.generateError }),
      };
      let sent = 0;
      for (const text of run.pieces) {
        if (stream.signal.aborted) break;
        stream.send({ text });
        sent += 1;
        await wait(script.tokenDelayMs ?? 0);
      }
      if (run.error) {
        if (run.error.kind === 'gpu-device-lost') current = null;
        stream.end({ ok: false, error: run.error, loaded: current });
        return;
      }
      stream.end({
        ok: true,
        value: {
          finishReason: stream.signal.aborted ? 'aborted' : (run.finishReason ?? 'stop'),
          measurements: { promptTokens: 4, outputTokens: sent, prefillMs: 10, decodeMs: 5 * sent },
          ...(run.context && { context: run.context }),
        },
      });
    },

    score: async (request, port) => {
      calls.push({ method: 'score', score: request });
      const stream = streamSender<ScoreStream>(port);
      if (!current) {
        stream.end({ ok: false, error: { kind: 'no-model-loaded' }, loaded: null });
        return;
      }
      await wait(5);
      const result = (script.score ?? fakeScore)(current, request);
      if (stream.signal.aborted)
        stream.end({ ok: false, error: { kind: 'cancelled' }, loaded: current });
      else if (isError(result)) stream.end({ ok: false, error: result, loaded: current });
      else {
        stream.send({ scored: result.positions.length, total: result.positions.length });
        stream.end({ ok: true, value: result });
      }
    },

    benchmark: async (request, port) => {
      calls.push({ method: 'benchmark' });
      const stream = streamSender<BenchmarkStream>(port);
      if (!current) {
        stream.end({ ok: false, error: { kind: 'no-model-loaded' }, loaded: null });
        return;
      }
      const runs: BenchmarkRun[] = [];
      for (let repetition = 1; repetition <= request.repetitions; repetition++) {
        stream.send({ repetition, of: request.repetitions });
        await wait(5);
        if (stream.signal.aborted) {
          stream.end({ ok: false, error: { kind: 'cancelled' }, loaded: current });
          return;
        }
        const run = script.benchmark?.(current) ?? {
          prefill: { tokens: 512, ms: 100 },
          decode: { tokens: request.decodeTokens, ms: 10 * request.decodeTokens },
        };
        if (isError(run)) {
          stream.end({ ok: false, error: run, loaded: current });
          return;
        }
        runs.push(run);
      }
      stream.end({ ok: true, value: runs });
    },
  };
}
