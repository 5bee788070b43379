import {
  hasModelInCache,
  MLCEngine,
  prebuiltAppConfig,
  type AppConfig,
  type CompletionUsage,
  type InitProgressReport,
  type MLCEngineInterface,
  type ModelRecord,
} from '@mlc-ai/web-llm';
import type {
  BenchmarkRun,
  EngineError,
  GenerationResult,
  GpuReport,
  LoadEvent,
  LoadedModel,
  SamplingSettings,
} from '../../shared/engine-protocol.ts';
import { blockerError, mlcBlocker } from '../../shared/mlc-requirements.ts';
import type { ThinkingSupport } from '../../shared/thinking.ts';
import { adapterName } from '../device/probe-device.ts';
import { describe, EngineFailure } from '../../shared/engine-failure.ts';
import { RunRecorder, type LocalEngine } from '../local-engine.ts';

/** web-llm's prebuilt models, cached in IndexedDB like our GGUF files. */
export const mlcAppConfig: AppConfig = { ...prebuiltAppConfig, cacheBackend: 'indexeddb' };

const DEFAULT_CONTEXT = 4096;
const MiB = 1 << 20;

/** The part of web-llm's engine this adapter uses. Tests pass a fake with the same types. */
export type MlcEngineCore = Pick<
  MLCEngineInterface,
  | 'setAppConfig'
  | 'setInitProgressCallback'
  | 'reload'
  | 'chatCompletion'
  | 'completion'
  | 'interruptGenerate'
  | 'unload'
>;

export interface MlcDependencies {
  createEngine: () => MlcEngineCore;
  isStored: (modelId: string) => Promise<boolean>;
}

const webLlm: MlcDependencies = {
  createEngine: () => new MLCEngine(),
  isStored: (modelId) => hasModelInCache(modelId, mlcAppConfig),
};

export interface MlcLoadInput {
  modelId: string;
  gpu: GpuReport;
  signal: AbortSignal;
  onEvent: (event: LoadEvent) => void;
}

/**
 * web-llm has no template text to read: its `enable_thinking` is documented for Qwen3 only (off,
 * it puts an empty think block in the prompt). Its conversation templates never open a think
 * block in the prompt, so a thinking model writes its own `<think>`.
 */
export function mlcThinking(modelId: string): ThinkingSupport {
  return { switchable: /^Qwen3-/i.test(modelId), startsInReasoning: false };
}

function findMlcRecord(modelId: string): ModelRecord | null {
  return mlcAppConfig.model_list.find((record) => record.model_id === modelId) ?? null;
}

/**
 * Refuses, before anything is downloaded, a model this GPU cannot run.
 *
 * @throws EngineFailure `unknown-model`, `no-webgpu`, `needs-shader-f16`, `buffer-too-small`
 */
export function checkMlcModel(modelId: string, gpu: GpuReport): ModelRecord {
  const record = findMlcRecord(modelId);
  if (!record) throw new EngineFailure({ kind: 'unknown-model', modelId });
  const blocker = mlcBlocker(record, gpu);
  if (blocker) throw new EngineFailure(blockerError(blocker, modelId));
  return record;
}

/**
 * Downloads (into IndexedDB, through web-llm's cache) and loads an MLC model on WebGPU.
 *
 * @throws EngineFailure `checkMlcModel`'s failures, `download-failed`, `gpu-device-lost`,
 * `model-load-failed`, `cancelled`
 */
export async function loadMlcEngine(
  { modelId, gpu, signal, onEvent }: MlcLoadInput,
  deps: MlcDependencies = webLlm,
): Promise<LocalEngine> {
  const record = checkMlcModel(modelId, gpu);
  const fromStorage = await deps.isStored(modelId).catch(() => false);
  const engine = deps.createEngine();
  engine.setAppConfig(mlcAppConfig);
  engine.setInitProgressCallback((report) => onEvent(progressEvent(report)));

  // web-llm aborts a reload by unloading, and then resolves instead of throwing.
  const abort = () => void engine.unload();
  signal.addEventListener('abort', abort);
  const loadStarted = performance.now();
  try {
    await engine.reload(modelId);
  } catch (cause) {
    await engine.unload().catch(() => undefined);
    throw new EngineFailure(signal.aborted ? { kind: 'cancelled' } : loadError(cause, record));
  } finally {
    signal.removeEventListener('abort', abort);
  }
  if (signal.aborted) throw new EngineFailure({ kind: 'cancelled' });

  const contextSize = record.overrides?.context_window_size ?? DEFAULT_CONTEXT;
  const loaded: LoadedModel = {
    spec: { engine: 'mlc', modelId },
    name: modelId,
    backend: { kind: 'webgpu', adapter: adapterName(gpu) },
    contextSize,
    hasChatTemplate: true,
    thinking: mlcThinking(modelId),
    fromStorage,
    sizeBytes: null,
    // Includes the download when there was one: web-llm fetches while it loads.
    loadMs: performance.now() - loadStarted,
    memory: { weightsBytes: null, kvCacheBytes: null, computeBytes: null },
    weights: null,
    vocabSize: null,
  };

  return {
    loaded,
    // web-llm keeps its GPUDevice to itself and reports a lost one on the next call
    // (`DeviceLostError`, classified as `gpu-device-lost`), not before.
    fault: new Promise<never>(() => undefined),

    async generate(request, onToken, signal): Promise<GenerationResult> {
      const run = new RunRecorder(onToken);
      let usage: CompletionUsage | undefined;
      const common = {
        stream: true as const,
        stream_options: { include_usage: true },
        ...mlcSampling(request.sampling),
      };

      const stop = () => engine.interruptGenerate();
      signal.addEventListener('abort', stop);
      try {
        if (request.mode === 'chat') {
          const chunks = await engine.chatCompletion({
            ...common,
            messages: request.messages,
            ...(request.thinking !== undefined && {
              extra_body: { enable_thinking: request.thinking },
            }),
          });
          for await (const chunk of chunks) {
            run.take(chunk.choices[0]?.delta.content, chunk.choices[0]?.finish_reason);
            if (chunk.usage) usage = chunk.usage;
          }
        } else {
          const chunks = await engine.completion({ ...common, prompt: request.prompt });
          for await (const chunk of chunks) {
            run.take(chunk.choices[0]?.text, chunk.choices[0]?.finish_reason);
            if (chunk.usage) usage = chunk.usage;
          }
        }
      } catch (cause) {
        throw new EngineFailure(generationError(cause, contextSize));
      } finally {
        signal.removeEventListener('abort', stop);
      }

      const result = run.result(
        signal.aborted,
        usage
          ? {
              promptTokens: usage.prompt_tokens,
              outputTokens: usage.completion_tokens,
              // web-llm reports rates; turn them back into the times they came from.
              prefillMs: spanMs(usage.prompt_tokens, usage.extra.prefill_tokens_per_s),
              decodeMs: spanMs(usage.completion_tokens, usage.extra.decode_tokens_per_s),
            }
          : null,
      );
      // web-llm does not fit a chat to its context (a `fit` request is sent whole): it reports
      // the prompt's tokens, for the meter, and fails with `context-overflow` past the window.
      return usage
        ? {
            ...result,
            context: { promptTokens: usage.prompt_tokens, contextSize, droppedMessages: 0 },
          }
        : result;
    },

    score() {
      // web-llm's chat API gives at most 5 log-probs and cannot force a text.
      return Promise.reject(
        new EngineFailure({
          kind: 'not-supported',
          operation: 'teacher-forced scoring (perplexity, KL divergence)',
          engine: 'mlc',
        }),
      );
    },

    async benchmark(request, onProgress, signal): Promise<BenchmarkRun[]> {
      // As llama-bench: prefill and decode measured apart.
      const timed = async (prompt: string, maxTokens: number) => {
        const cancelled = () => new EngineFailure({ kind: 'cancelled' });
        if (signal.aborted) throw cancelled();
        const stop = () => engine.interruptGenerate();
        signal.addEventListener('abort', stop);
        try {
          const reply = await engine.completion({
            prompt,
            max_tokens: maxTokens,
            temperature: 0,
            ignore_eos: true,
            stream: false,
          });
          // An interrupted run resolves with what it had: not a measurement.
          if (!reply.usage || reply.choices[0]?.finish_reason === 'abort') throw cancelled();
          return reply.usage;
        } catch (cause) {
          if (cause instanceof EngineFailure) throw cause;
          throw new EngineFailure(generationError(cause, contextSize));
        } finally {
          signal.removeEventListener('abort', stop);
        }
      };
      const runs: BenchmarkRun[] = [];
      for (let repetition = 1; repetition <= request.repetitions; repetition++) {
        onProgress({ repetition, of: request.repetitions });
        const prefill = await timed(request.promptText, 1);
        const decode = await timed('Once', request.decodeTokens);
        runs.push({
          prefill: {
            tokens: prefill.prompt_tokens,
            ms: spanMs(prefill.prompt_tokens, prefill.extra.prefill_tokens_per_s),
          },
          decode: {
            tokens: decode.completion_tokens,
            ms: spanMs(decode.completion_tokens, decode.extra.decode_tokens_per_s),
          },
        });
      }
      return runs;
    },

    unload: () => engine.unload(),
  };
}

const spanMs = (tokens: number, perSecond: number) =>
  perSecond > 0 ? (tokens / perSecond) * 1000 : 0;

/**
 * web-llm reports download progress only as text plus a fraction:
 * `Fetching param cache[3/24]: 100MB fetched. 12% completed, …`. Bytes are read from it where
 * present; everything else is the model being set up on the GPU.
 */
export function progressEvent(report: InitProgressReport): LoadEvent {
  const fetched = /Fetching param cache\[\d+\/\d+\]: (\d+)MB fetched/.exec(report.text);
  if (!fetched) return { type: 'stage', stage: 'initializing' };
  const loadedBytes = Number(fetched[1]) * MiB;
  return {
    type: 'download',
    loadedBytes,
    totalBytes: report.progress > 0 ? Math.round(loadedBytes / report.progress) : null,
    at: Date.now(),
    inOtherTab: false,
  };
}

/** web-llm's errors are classes inside this worker, so their names are reliable here. */
function loadError(cause: unknown, record: ModelRecord): EngineError {
  const name = cause instanceof Error ? cause.name : '';
  const detail = describe(cause);
  switch (name) {
    case 'ShaderF16SupportError':
      return { kind: 'needs-shader-f16', modelId: record.model_id };
    case 'WebGPUNotAvailableError':
    case 'WebGPUNotFoundError':
      return { kind: 'no-webgpu', modelId: record.model_id };
    case 'DeviceLostError':
      return { kind: 'gpu-device-lost', detail };
    case 'QuotaExceededError':
      return { kind: 'storage-full', detail, storedBytes: null };
  }
  // A failed fetch surfaces as a TypeError ("Failed to fetch") or web-llm's "Cannot fetch <url>".
  if (cause instanceof TypeError || /fetch|network/i.test(detail)) {
    return { kind: 'download-failed', url: record.model, status: null, detail };
  }
  return { kind: 'model-load-failed', detail };
}

function generationError(cause: unknown, contextSize: number): EngineError {
  const name = cause instanceof Error ? cause.name : '';
  const detail = describe(cause);
  if (name === 'ContextWindowSizeExceededError') return { kind: 'context-overflow', contextSize };
  if (name === 'DeviceLostError') return { kind: 'gpu-device-lost', detail };
  return { kind: 'generation-failed', detail };
}

/** The request's sampling in web-llm's terms; it has no top-k and no min-p, so those are ignored. */
function mlcSampling(sampling: SamplingSettings) {
  return {
    temperature: sampling.temperature,
    max_tokens: sampling.maxTokens,
    ...(sampling.topP !== undefined && { top_p: sampling.topP }),
    ...(sampling.repeatPenalty !== undefined && { repetition_penalty: sampling.repeatPenalty }),
    ...(sampling.seed !== undefined && { seed: sampling.seed }),
  };
}
