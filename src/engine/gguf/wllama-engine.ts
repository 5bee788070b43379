import {
  Wllama,
  type ChatCompletionChunk,
  type ChatCompletionParams,
  type RawCompletionChunk,
  type ResultTimings,
  type WllamaLogger,
} from '@wllama/wllama/esm/index.js';
// Served from our own origin by Vite: no CDN is ever asked for the runtime.
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import type {
  Backend,
  BackendPreference,
  BenchmarkRun,
  ChatTurn,
  ContextUse,
  EngineError,
  GenerateRequest,
  GenerationResult,
  GpuReport,
  LoadedModel,
  ModelMemory,
  ModelSpec,
  RunMeasurements,
  SamplingSettings,
  ScoreEvent,
  ScoreRequest,
  ScoreResult,
  TokenScore,
} from '../../shared/engine-protocol.ts';
import { answerReserve, fitToContext } from '../../shared/context-fit.ts';
import { DEFAULT_CONTEXT_SIZE } from '../../shared/context-size.ts';
import { thinkingSupport } from '../../shared/thinking.ts';
import { adapterName } from '../device/probe-device.ts';
import { describe, EngineFailure, isAbortError } from '../../shared/engine-failure.ts';
import { RunRecorder, type LocalEngine } from '../local-engine.ts';
import { loadCanonicalTokenizer, type CanonicalTokenizerLoad } from './canonical-tokenizer.ts';
import { textGrammar, tokenGrammar } from './gbnf-literal.ts';
import type { GgufHeader } from './gguf-header.ts';
import { createReasoningInliner } from './reasoning-content.ts';
import { outOfMemory, readAllocationClue, type AllocationFailure } from './out-of-memory.ts';

/** llama.cpp's way of saying "offload every layer". */
const ALL_LAYERS = 99999;

export interface WllamaLoadInput {
  spec: Extract<ModelSpec, { engine: 'gguf' }>;
  /** The model file, or every part of a split model in order. */
  files: Blob[];
  header: GgufHeader;
  backend: BackendPreference;
  /** The context asked for; capped at the model's trained context (a 128k model would not fit). */
  contextSize?: number;
  gpu: GpuReport;
  fromStorage: boolean;
}

const MiB = 1 << 20;

/**
 * Collects llama.cpp's native log. The backend that actually holds the weights is read from its
 * `<device> model buffer size` lines: a WebGPU buffer means the GPU runs the model; only CPU
 * buffers mean llama.cpp fell back to the CPU (e.g. an adapter without `shader-f16`). The same
 * lines give the memory the model holds. The last error line explains a failed request, which
 * wllama itself reports only as a broken reply.
 */
class NativeLog {
  readonly bufferDevices = new Set<string>();
  readonly memory: ModelMemory = { weightsBytes: null, kvCacheBytes: null, computeBytes: null };
  /** The context llama.cpp allocated (it rounds the one asked for up to a multiple of 256). */
  contextSize: number | null = null;
  lastError = '';
  /**
   * Why llama.cpp aborted, from its `GGML_ABORT`/`GGML_ASSERT` line: wllama itself reports only
   * "(ABORT)", which tells a person nothing.
   */
  abortReason: string | null = null;
  /** What the log said about an allocation that failed, if one did (see `out-of-memory.ts`). */
  readonly allocation: AllocationFailure = { part: null, bytes: null };
  allocationFailed = false;
  /** Settles once the model can no longer run (see `engineFault`); never rejects. */
  readonly fault: Promise<EngineError>;
  private reportFault: (error: EngineError) => void = () => undefined;

  constructor() {
    this.fault = new Promise((resolve) => (this.reportFault = resolve));
  }

  readonly logger: WllamaLogger = {
    debug: (...args: unknown[]) => void this.capture(args),
    log: (...args: unknown[]) => console.debug(this.capture(args)),
    warn: (...args: unknown[]) => console.warn(this.capture(args)),
    error: (...args: unknown[]) => {
      const line = this.capture(args);
      // wllama follows llama.cpp's own error with its stack and a RangeError of its reading
      // the broken reply: the first says what happened.
      if (!/^Stack trace \(/.test(line) && !BROKEN_REPLY.test(line)) this.lastError = line;
      console.error(line);
    },
  };

  private capture(args: unknown[]): string {
    const fault = engineFault(args);
    if (fault) this.reportFault(fault);
    const line = args.map(String).join(' ');
    if (readAllocationClue(line, this.allocation)) this.allocationFailed = true;
    const buffer = /(\S+) +(model|KV|compute|output) buffer size = +([\d.]+) MiB/.exec(line);
    if (buffer) {
      const [, device = '', kind, mib = '0'] = buffer;
      const field = BUFFER_FIELDS[kind as keyof typeof BUFFER_FIELDS];
      this.memory[field] = (this.memory[field] ?? 0) + Math.round(Number(mib) * MiB);
      if (kind === 'model') this.bufferDevices.add(device);
    }
    const context = /llama_context: n_ctx += (\d+)/.exec(line);
    if (context) this.contextSize = Number(context[1]);
    const abort = ABORT_REASON.exec(line);
    if (abort) this.abortReason ??= abort[1]?.trim() ?? null;
    return line;
  }
}

/** `ggml/src/ggml-backend.cpp:1357: pre-allocated tensor … cannot run the operation (NONE)`. */
const ABORT_REASON = /\/(?:ggml|src|tools|common)\/[\w/.-]+\.(?:cpp|c|h):\d+: (.+)/;

/**
 * llama.cpp's WebGPU backend logs the `lost` promise of its GPUDevice (which lives in wllama's
 * own worker, out of our reach) as this line; Chromium resolves that promise when its GPU
 * process crashes or the driver resets.
 */
const DEVICE_LOST = /ggml_webgpu: Device lost!.*Message: (.*)/;

/**
 * Whether a native log call says the model cannot run any more: its GPU device was lost, or
 * wllama's worker died (wllama hands the worker's `error` event to the logger and leaves its
 * pending calls waiting forever, so this is the only sign of it).
 */
function engineFault(args: unknown[]): EngineError | null {
  const [first] = args;
  if (typeof ErrorEvent !== 'undefined' && first instanceof ErrorEvent) {
    return {
      kind: 'engine-crashed',
      detail: first.message || "llama.cpp's worker stopped",
      neededBytes: null,
      limitBytes: null,
    };
  }
  const lost = DEVICE_LOST.exec(args.map(String).join(' '));
  return lost ? { kind: 'gpu-device-lost', detail: lost[1]?.trim() || 'device lost' } : null;
}

/**
 * Where llama.cpp put (or was putting) the weights: its buffer lines say, once there are some; before
 * that, the GPU if one that can run llama.cpp's WebGPU backend was offered and not declined.
 */
function triedBackend(input: WllamaLoadInput, log: NativeLog): 'webgpu' | 'cpu' {
  if (log.bufferDevices.size > 0) {
    return [...log.bufferDevices].some((device) => device.startsWith('WebGPU')) ? 'webgpu' : 'cpu';
  }
  const gpuUsable = input.gpu.status === 'available' && input.gpu.shaderF16;
  return input.backend !== 'cpu' && gpuUsable ? 'webgpu' : 'cpu';
}

/** Settles with `work`, or fails with the engine's fault if one comes first. */
function unlessFault<T>(work: Promise<T>, log: NativeLog): Promise<T> {
  return Promise.race([
    work,
    log.fault.then((error) => {
      throw new EngineFailure(error);
    }),
  ]);
}

/** Which of llama.cpp's buffers counts as what (its small output buffer goes with compute). */
const BUFFER_FIELDS = {
  model: 'weightsBytes',
  KV: 'kvCacheBytes',
  compute: 'computeBytes',
  output: 'computeBytes',
} as const;

let wasmBlobUrl: Promise<string> | null = null;

/**
 * llama.cpp's wasm as a `blob:` URL, fetched once by this worker. wllama runs the wasm in a worker
 * of its own, whose requests no code of ours sees (Resource Timing is per context): fetched here,
 * the one request is in this worker's network log, and wllama's worker reads a `blob:` URL, which
 * never leaves the browser. Later loads reuse it instead of fetching the wasm again.
 */
function wllamaWasm(): Promise<string> {
  wasmBlobUrl ??= fetch(wasmUrl)
    .then(async (response) => {
      if (!response.ok) throw new Error(`the wasm answered ${response.status}`);
      const bytes = await response.arrayBuffer();
      return URL.createObjectURL(new Blob([bytes], { type: 'application/wasm' }));
    })
    .catch((cause: unknown) => {
      wasmBlobUrl = null; // the next load tries again
      throw cause;
    });
  return wasmBlobUrl;
}

/**
 * Loads a GGUF file into llama.cpp (wasm, WebGPU unless the CPU is asked for).
 *
 * @throws EngineFailure `model-load-failed`
 */
export async function loadWllamaEngine(input: WllamaLoadInput): Promise<LocalEngine> {
  const log = new NativeLog();
  let wasm: string;
  try {
    wasm = await wllamaWasm();
  } catch (cause) {
    throw new EngineFailure({ kind: 'model-load-failed', detail: describe(cause) });
  }
  const wllama = new Wllama({ default: wasm }, { logger: log.logger });
  // Compat mode (browsers without JSPI or Memory64) fetches its worker from a CDN: never.
  wllama.setCompat(null);
  const asked = input.contextSize ?? DEFAULT_CONTEXT_SIZE;
  const requestedContext = Math.min(input.header.contextLength ?? asked, asked);
  const loadStarted = performance.now();
  try {
    // Threads, flash attention, batch sizes and the KV cache type stay wllama's defaults: measured
    // on the CPU, none of them moved decode beyond the noise, because nearly all the time is spent in
    // the wasm build's own dot-product kernels (q4_0's is scalar), which no load param reaches.
    // A worker of wllama's that dies while loading would leave this waiting for ever.
    await unlessFault(
      wllama.loadModel(input.files, {
        n_ctx: requestedContext,
        n_gpu_layers: input.backend === 'cpu' ? 0 : ALL_LAYERS,
      }),
      log,
    );
    // wllama resolves even when llama.cpp could not create the context (its reply says
    // `success: false`, which it drops): a context of 0 tokens is that failure.
    if (!(wllama.getLoadedContextInfo().n_ctx > 0)) {
      throw new Error(log.lastError || 'llama.cpp could not create the context');
    }
  } catch (cause) {
    await wllama.exit().catch(() => undefined);
    // An allocation that failed explains a load that aborted or came back empty.
    if (log.allocationFailed) {
      throw new EngineFailure(
        outOfMemory(log.allocation, {
          weightsBytes: input.files.reduce((sum, file) => sum + file.size, 0),
          attention: input.header.attention,
          contextSize: requestedContext,
          backend: triedBackend(input, log),
        }),
      );
    }
    if (cause instanceof EngineFailure) throw cause;
    const detail = log.abortReason ? `llama.cpp stopped: ${log.abortReason}` : describe(cause);
    throw new EngineFailure({ kind: 'model-load-failed', detail });
  }

  const loadMs = performance.now() - loadStarted;
  const contextSize = log.contextSize ?? requestedContext;
  // Read from the file's header when first needed (a vocabulary can take half a second).
  let tokenizing: Promise<CanonicalTokenizerLoad> | null = null;
  const [firstFile] = input.files;
  const tokenizer = () =>
    (tokenizing ??= firstFile
      ? loadCanonicalTokenizer(firstFile)
      : Promise.resolve({
          ok: false,
          reason: { kind: 'bad-vocabulary', detail: 'no file' },
        } satisfies CanonicalTokenizerLoad));
  const onGpu = triedBackend(input, log) === 'webgpu';
  const backend: Backend = onGpu
    ? { kind: 'webgpu', adapter: adapterName(input.gpu) }
    : { kind: 'cpu', threads: wllama.getNumThreads() };
  const loaded: LoadedModel = {
    spec: input.spec,
    // The file's own name (`general.name`) is often just the architecture, e.g. "llama".
    name: input.spec.label,
    backend,
    contextSize,
    hasChatTemplate: input.header.hasChatTemplate,
    // llama.cpp applies the template with Jinja (its default; `--no-jinja` is the opt-out), which
    // is what makes `enable_thinking` reach it.
    thinking: thinkingSupport(wllama.getChatTemplate()),
    fromStorage: input.fromStorage,
    sizeBytes: input.files.reduce((sum, file) => sum + file.size, 0),
    loadMs,
    memory: log.memory,
    weights: input.header.weights,
    vocabSize: wllama.getLoadedContextInfo().n_vocab,
  };

  return {
    loaded,
    fault: log.fault,

    async generate(request, onToken, signal): Promise<GenerationResult> {
      const run = new RunRecorder(onToken);
      let timings: ResultTimings | undefined;
      const take = (
        chunk: ChatCompletionChunk | RawCompletionChunk,
        piece: string | null | undefined,
      ) => {
        if (chunk.timings) timings = chunk.timings;
        run.take(piece, chunk.choices[0]?.finish_reason);
      };
      const common = {
        stream: true as const,
        ...samplingParams(request.sampling),
        abortSignal: signal,
      };

      let aborted = false;
      let fitted: FittedChat | null = null;
      log.lastError = '';
      try {
        if (request.mode === 'chat') {
          const kwargs = templateKwargs(request);
          if (request.fit)
            fitted = await fitChat(wllama, log, request, kwargs, contextSize, signal);
          const inline = createReasoningInliner();
          await unlessFault(
            wllama.createChatCompletion({
              ...common,
              messages: fitted?.messages ?? request.messages,
              ...kwargs,
              onData: (chunk: ChatCompletionChunk) => take(chunk, inline(chunk.choices[0]?.delta)),
            }),
            log,
          );
        } else {
          await unlessFault(
            wllama.createCompletion({
              ...common,
              prompt: request.prompt,
              onData: (chunk: RawCompletionChunk) => take(chunk, chunk.choices[0]?.text),
            }),
            log,
          );
        }
      } catch (cause) {
        if (cause instanceof EngineFailure) throw cause;
        if (!isAbortError(cause)) {
          throw new EngineFailure(generationError(cause, contextSize, log));
        }
        aborted = true;
      }

      const result = run.result(
        aborted,
        timings ? runMeasurements(timings, fitted?.countTimings ?? null) : null,
      );
      const promptTokens = timings
        ? timings.cache_n + timings.prompt_n
        : (fitted?.promptTokens ?? null);
      if (!timings && !fitted) return result;
      const context: ContextUse = {
        promptTokens,
        contextSize,
        droppedMessages: fitted?.dropped ?? 0,
      };
      return { ...result, context };
    },

    score: (request, onProgress, signal) =>
      scoreText({ wllama, log, tokenizer, contextSize }, request, onProgress, signal),

    async benchmark(request, onProgress, signal): Promise<BenchmarkRun[]> {
      const runs: BenchmarkRun[] = [];
      // As llama-bench: prefill and decode measured apart, nothing reused from an earlier run.
      const timed = async (prompt: string, maxTokens: number) => {
        log.lastError = '';
        const reply = await unlessFault(
          wllama.createCompletion({
            prompt,
            max_tokens: maxTokens,
            temperature: 0,
            ignore_eos: true,
            ...NO_PROMPT_CACHE,
            abortSignal: signal,
          }),
          log,
        ).catch((cause: unknown) => {
          if (cause instanceof EngineFailure) throw cause;
          throw isAbortError(cause)
            ? new EngineFailure({ kind: 'cancelled' })
            : new EngineFailure(generationError(cause, contextSize, log));
        });
        if (!reply.timings) throw new EngineFailure({ kind: 'internal', detail: 'no timings' });
        return reply.timings;
      };
      for (let repetition = 1; repetition <= request.repetitions; repetition++) {
        onProgress({ repetition, of: request.repetitions });
        const prefill = await timed(request.promptText, 1);
        const decode = await timed(DECODE_PROMPT, request.decodeTokens);
        runs.push({
          prefill: { tokens: prefill.prompt_n, ms: prefill.prompt_ms },
          decode: { tokens: decode.predicted_n, ms: decode.predicted_ms },
        });
      }
      return runs;
    },

    unload: () => wllama.exit(),
  };
}

/**
 * llama.cpp's server reuses the KV cache of the previous request's common prefix unless told
 * not to (a field wllama passes through but does not type): a measurement must compute it all.
 */
const NO_PROMPT_CACHE: object = { cache_prompt: false };

/**
 * The request's sampling in llama.cpp's terms. Its server reads the repeat penalty as
 * `repeat_penalty`; wllama types it as `penalty_repeat`, which the server ignores (tried: a
 * penalty of 3 changed nothing under that name), so it goes untyped, as `NO_PROMPT_CACHE` does.
 */
function samplingParams(
  sampling: SamplingSettings,
): Pick<ChatCompletionParams, 'temperature' | 'max_tokens' | 'top_p' | 'top_k' | 'min_p' | 'seed'> {
  const repeat: object =
    sampling.repeatPenalty === undefined ? {} : { repeat_penalty: sampling.repeatPenalty };
  return {
    temperature: sampling.temperature,
    max_tokens: sampling.maxTokens,
    ...(sampling.topP !== undefined && { top_p: sampling.topP }),
    ...(sampling.topK !== undefined && { top_k: sampling.topK }),
    ...(sampling.minP !== undefined && { min_p: sampling.minP }),
    ...(sampling.seed !== undefined && { seed: sampling.seed }),
    ...repeat,
  };
}

/** The thinking switch, for a model whose template has one. */
function templateKwargs(request: Extract<GenerateRequest, { mode: 'chat' }>) {
  return request.thinking === undefined
    ? {}
    : { chat_template_kwargs: { enable_thinking: request.thinking } };
}

/** A chat fitted to the context: what to send, and what counting it found. */
interface FittedChat {
  messages: ChatTurn[];
  promptTokens: number;
  dropped: number;
  /** The engine's timings of the count of `messages`, which processed their prompt. */
  countTimings: ResultTimings | null;
}

/** How llama.cpp's server refuses a prompt longer than the context, with both counts. */
const OVER_CONTEXT = /request \((\d+) tokens\) exceeds the available context size/;

/**
 * The tokens of the prompt `messages` make, counted by llama.cpp itself: the request is sent
 * with the chat template applied and one token to generate, and its reply says how many tokens
 * the prompt had. Its prompt stays in llama.cpp's cache (`cache_prompt`, the server's default),
 * so the answer that follows with the same messages processes none of it again: the count costs
 * one sampled token, not a second prefill. A prompt longer than the context is refused before
 * any of it is processed, and the refusal gives its count.
 *
 * @throws an abort, or wllama's error for any other failure
 */
async function countPrompt(
  wllama: Wllama,
  log: NativeLog,
  messages: ChatTurn[],
  kwargs: ReturnType<typeof templateKwargs>,
  signal: AbortSignal,
): Promise<{ tokens: number; timings: ResultTimings | null }> {
  try {
    const reply = await unlessFault(
      wllama.createChatCompletion({
        messages,
        ...kwargs,
        max_tokens: 1,
        temperature: 0,
        abortSignal: signal,
      }),
      log,
    );
    return { tokens: reply.usage.prompt_tokens, timings: replyTimings(reply) };
  } catch (cause) {
    // wllama sometimes loses the server's error text (`BROKEN_REPLY`): the native log keeps it.
    const over = OVER_CONTEXT.exec(describe(cause)) ?? OVER_CONTEXT.exec(log.lastError);
    if (over) return { tokens: Number(over[1]), timings: null };
    throw cause;
  }
}

/** wllama's non-streamed reply carries llama.cpp's timings, which its type leaves out. */
const replyTimings = (reply: object): ResultTimings | null =>
  'timings' in reply ? (reply.timings as ResultTimings) : null;

/**
 * Applies the request's context policy (`context-fit.ts`) with llama.cpp's own counts.
 *
 * @throws EngineFailure `context-full`, `context-overflow`; an abort
 */
async function fitChat(
  wllama: Wllama,
  log: NativeLog,
  request: Extract<GenerateRequest, { mode: 'chat' }>,
  kwargs: ReturnType<typeof templateKwargs>,
  contextSize: number,
  signal: AbortSignal,
): Promise<FittedChat | null> {
  if (!request.fit) return null;
  let countTimings: ResultTimings | null = null;
  const fit = await fitToContext(
    request.messages,
    {
      policy: request.fit,
      contextSize,
      reserve: answerReserve(request.sampling.maxTokens, contextSize),
    },
    async (messages) => {
      log.lastError = '';
      const counted = await countPrompt(wllama, log, messages, kwargs, signal);
      countTimings = counted.timings;
      return counted.tokens;
    },
  );
  if (!fit.ok) throw new EngineFailure(fit.error);
  return { ...fit, countTimings };
}

/**
 * A run's numbers from llama.cpp's timings. After a count (`countPrompt`) the run found its
 * prompt in the cache and processed one token: the count did the prefill, so its timings are the
 * prefill's. Where the run processed more (the cache did not serve it), its own are.
 */
function runMeasurements(run: ResultTimings, count: ResultTimings | null): RunMeasurements {
  const counted = count !== null && run.prompt_n <= 1;
  return {
    promptTokens: counted ? count.prompt_n : run.prompt_n,
    cachedPromptTokens: counted ? count.cache_n : run.cache_n,
    prefillMs: run.prompt_ms + (counted ? count.prompt_ms : 0),
    outputTokens: run.predicted_n,
    decodeMs: run.predicted_ms,
  };
}

/** Decode is measured from (nearly) empty context, as llama-bench's `tg` runs are. */
const DECODE_PROMPT = 'Once';

/**
 * llama.cpp fails to write a reply whose tokens include a piece that is not valid UTF-8 on its
 * own (a byte token, or part of a character split over tokens), since each is written as text.
 */
const BAD_UTF8 = /invalid UTF-8/i;

/** What scoring needs of a loaded model. */
interface Scorer {
  wllama: Wllama;
  log: NativeLog;
  tokenizer: () => Promise<CanonicalTokenizerLoad>;
  contextSize: number;
}

/**
 * The tokens llama.cpp makes of `text` when it follows `prompt` in one prompt (its tokenizer,
 * run here from the model's own vocabulary), or why they cannot be had.
 */
function canonicalTextTokens(
  load: CanonicalTokenizerLoad,
  prompt: string,
  text: string,
): { ok: true; tokens: number[] } | { ok: false; reason: string } {
  if (!load.ok)
    return { ok: false, reason: `its tokenizer is not supported here (${load.reason.kind})` };
  const whole = load.tokenizer.tokenize(prompt + text, { addSpecial: true });
  const head = load.tokenizer.tokenize(prompt, { addSpecial: true });
  if (!whole.ok) return { ok: false, reason: `its tokenizer failed (${whole.reason.kind})` };
  if (!head.ok) return { ok: false, reason: `its tokenizer failed (${head.reason.kind})` };
  const prefix = head.tokens.every((token, i) => whole.tokens[i] === token);
  if (!prefix) return { ok: false, reason: 'a token spans the end of the context and the text' };
  return { ok: true, tokens: whole.tokens.slice(head.tokens.length) };
}

/**
 * Teacher-forced scoring (see `ScoreRequest`). A grammar that admits only the target's tokens
 * makes the model produce them one by one, at decode speed, while llama.cpp reports each forced
 * token's log-probability and the top K, computed from the raw logits before the grammar or any
 * sampler touched them. A text is first tokenized as llama.cpp would (`canonical-tokenizer.ts`);
 * where its tokenizer cannot be reproduced, a grammar of the text lets the model pick its own
 * tokens that spell it, which may not be the canonical ones (the result says which). Where the
 * top K include a token that is not valid UTF-8 on its own (a byte token), llama.cpp cannot
 * write its reply: the run is tried again with half the K.
 *
 * @throws EngineFailure `cancelled`, `context-overflow`, `generation-failed`
 */
async function scoreText(
  { wllama, log, tokenizer, contextSize }: Scorer,
  request: ScoreRequest,
  onProgress: (event: ScoreEvent) => void,
  signal: AbortSignal,
): Promise<ScoreResult> {
  const { target } = request;
  let forced: number[] | null;
  let tokenization: ScoreResult['tokenization'];
  if ('tokens' in target) {
    forced = target.tokens;
    tokenization = { kind: 'given' };
  } else {
    const canonical = canonicalTextTokens(await tokenizer(), request.prompt, target.text);
    forced = canonical.ok
      ? canonical.tokens.slice(0, Math.min(target.maxTokens, contextSize))
      : null;
    tokenization = canonical.ok
      ? { kind: 'canonical' }
      : { kind: 'greedy', reason: canonical.reason };
  }
  if (forced?.length === 0) {
    throw new EngineFailure({ kind: 'generation-failed', detail: 'there is no text to score' });
  }
  const limit = forced
    ? forced.length
    : Math.min('text' in target ? target.maxTokens : 0, contextSize);
  const grammar = forced ? tokenGrammar(forced) : textGrammar('text' in target ? target.text : '');

  for (let topK = Math.max(1, Math.round(request.topK)); ; topK = Math.floor(topK / 2)) {
    const positions: TokenScore[] = [];
    let promptTokens = 0;
    log.lastError = '';
    try {
      await unlessFault(
        wllama.createCompletion({
          prompt: request.prompt,
          grammar,
          temperature: 0,
          logprobs: topK,
          // The target (or its start), and the end-of-text token a finished grammar demands.
          max_tokens: limit + 1,
          ...NO_PROMPT_CACHE,
          stream: true,
          abortSignal: signal,
          onData: (chunk: RawCompletionChunk) => {
            if (chunk.usage) promptTokens = chunk.usage.prompt_tokens;
            const content =
              (chunk.choices[0]?.logprobs as CompletionLogprobs | null)?.content ?? [];
            for (const entry of content) {
              if (wllama.isTokenEOG(entry.id) || positions.length === limit) continue;
              positions.push(tokenScore(entry));
            }
            if (content.length > 0) onProgress({ scored: positions.length, total: limit });
          },
        }),
        log,
      );
    } catch (cause) {
      if (cause instanceof EngineFailure) throw cause;
      if (isAbortError(cause)) throw new EngineFailure({ kind: 'cancelled' });
      if (BAD_UTF8.test(log.lastError)) {
        if (topK > 1) continue;
        throw new EngineFailure({
          kind: 'generation-failed',
          detail:
            'llama.cpp cannot report the log-probability of a token that is not valid UTF-8 on its own, and this text makes one: a character the tokenizer splits into bytes. Use a text without such characters (plain ASCII always works).',
        });
      }
      throw new EngineFailure(generationError(cause, contextSize, log));
    }
    if (forced && !forced.every((token, i) => positions[i]?.token === token)) {
      throw new EngineFailure({
        kind: 'generation-failed',
        detail: `the engine did not follow the forced tokens (${positions.length} of ${forced.length} scored)`,
      });
    }
    return {
      promptTokens,
      positions,
      canonicalTokens:
        'text' in target ? await canonicalTokenCount(wllama, log, request.prompt, positions) : null,
      topK,
      tokenization,
    };
  }
}

function tokenScore(entry: LogprobEntry & { top_logprobs: LogprobEntry[] }): TokenScore {
  return {
    token: entry.id,
    logprob: entry.logprob,
    text: entry.token,
    top: entry.top_logprobs.map((top) => ({ token: top.id, logprob: top.logprob })),
  };
}

/** How many tokens the engine makes of prompt + the forced text when it reads them as a prompt. */
async function canonicalTokenCount(
  wllama: Wllama,
  log: NativeLog,
  prompt: string,
  positions: TokenScore[],
): Promise<number> {
  const reply = await unlessFault(
    wllama.createCompletion({
      prompt: prompt + positions.map((position) => position.text).join(''),
      max_tokens: 1,
      temperature: 0,
      ...NO_PROMPT_CACHE,
    }),
    log,
  );
  return reply.usage.prompt_tokens;
}

/** What llama.cpp's server puts in each chunk's `logprobs` (wllama types it as null). */
interface LogprobEntry {
  id: number;
  token: string;
  bytes: number[] | null;
  logprob: number;
}
interface CompletionLogprobs {
  content: (LogprobEntry & { top_logprobs: LogprobEntry[] })[];
}

/**
 * wllama reports a reply it could not read back (llama.cpp failed while writing it) as a typed
 * array of absurd length: then llama.cpp's last logged error says what happened.
 */
const BROKEN_REPLY = /Invalid typed array length/;

function generationError(cause: unknown, contextSize: number, log: NativeLog): EngineError {
  const message = describe(cause);
  const detail = BROKEN_REPLY.test(message) && log.lastError ? log.lastError : message;
  const type = (cause as { type?: unknown }).type;
  if (type === 'kv_cache_full' || /context size|context length|context window/i.test(detail)) {
    return { kind: 'context-overflow', contextSize };
  }
  if (/device.*lost/i.test(detail)) return { kind: 'gpu-device-lost', detail };
  if (BAD_UTF8.test(detail)) {
    return {
      kind: 'generation-failed',
      detail:
        'the model produced bytes that are not valid text (UTF-8), which llama.cpp cannot pass on. The answer so far is kept; regenerating, or a lower temperature, usually avoids it.',
    };
  }
  return { kind: 'generation-failed', detail };
}
