import {
  Wllama,
  type ChatCompletionChunk,
  type RawCompletionChunk,
  type ResultTimings,
  type WllamaLogger,
} from '@wllama/wllama/esm/index.js';
// Served from our own origin by Vite: no CDN is ever asked for the runtime.
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import type {
  Backend,
  BackendPreference,
  EngineError,
  GenerationResult,
  GpuReport,
  LoadedModel,
  ModelSpec,
} from '../../shared/engine-protocol.ts';
import { GGUF_CONTEXT_SIZE } from '../../shared/memory-estimate.ts';
import { adapterName } from '../device/probe-device.ts';
import { describe, EngineFailure, isAbortError } from '../../shared/engine-failure.ts';
import { RunRecorder, type LocalEngine } from '../local-engine.ts';
import type { GgufHeader } from './gguf-header.ts';

/** Context window we allocate, capped so a 128k-context model does not allocate a huge KV cache. */
const MAX_CONTEXT = GGUF_CONTEXT_SIZE;
/** llama.cpp's way of saying "offload every layer". */
const ALL_LAYERS = 99999;

export interface WllamaLoadInput {
  spec: Extract<ModelSpec, { engine: 'gguf' }>;
  /** The model file, or every part of a split model in order. */
  files: Blob[];
  header: GgufHeader;
  backend: BackendPreference;
  gpu: GpuReport;
  fromStorage: boolean;
}

/**
 * Collects llama.cpp's native log. The backend that actually holds the weights is read from its
 * `<device> model buffer size` lines: a WebGPU buffer means the GPU runs the model; only CPU
 * buffers mean llama.cpp fell back to the CPU (e.g. an adapter without `shader-f16`).
 */
function nativeLog(): { logger: WllamaLogger; bufferDevices: Set<string> } {
  const bufferDevices = new Set<string>();
  const capture = (args: unknown[]) => {
    const line = args.map(String).join(' ');
    const device = /(\S+) model buffer size/.exec(line)?.[1];
    if (device) bufferDevices.add(device);
    return line;
  };
  const logger: WllamaLogger = {
    debug: (...args: unknown[]) => void capture(args),
    log: (...args: unknown[]) => console.debug(capture(args)),
    warn: (...args: unknown[]) => console.warn(capture(args)),
    error: (...args: unknown[]) => console.error(capture(args)),
  };
  return { logger, bufferDevices };
}

/**
 * Loads a GGUF file into llama.cpp (wasm, WebGPU unless the CPU is asked for).
 *
 * @throws EngineFailure `model-load-failed`
 */
export async function loadWllamaEngine(input: WllamaLoadInput): Promise<LocalEngine> {
  const { logger, bufferDevices } = nativeLog();
  const wllama = new Wllama({ default: wasmUrl }, { logger });
  // Compat mode (browsers without JSPI or Memory64) fetches its worker from a CDN: never.
  wllama.setCompat(null);
  const contextSize = Math.min(input.header.contextLength ?? MAX_CONTEXT, MAX_CONTEXT);
  try {
    // Threads, flash attention, batch sizes and the KV cache type stay wllama's defaults: measured
    // on the CPU, none of them moved decode beyond the noise, because nearly all the time is spent in
    // the wasm build's own dot-product kernels (q4_0's is scalar), which no load param reaches.
    await wllama.loadModel(input.files, {
      n_ctx: contextSize,
      n_gpu_layers: input.backend === 'cpu' ? 0 : ALL_LAYERS,
    });
  } catch (cause) {
    await wllama.exit().catch(() => undefined);
    throw new EngineFailure({ kind: 'model-load-failed', detail: describe(cause) });
  }

  const onGpu = [...bufferDevices].some((device) => device.startsWith('WebGPU'));
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
    fromStorage: input.fromStorage,
    sizeBytes: input.files.reduce((sum, file) => sum + file.size, 0),
  };

  return {
    loaded,

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
        temperature: request.sampling.temperature,
        max_tokens: request.sampling.maxTokens,
        abortSignal: signal,
      };

      let aborted = false;
      try {
        if (request.mode === 'chat') {
          await wllama.createChatCompletion({
            ...common,
            messages: request.messages,
            onData: (chunk: ChatCompletionChunk) => take(chunk, chunk.choices[0]?.delta.content),
          });
        } else {
          await wllama.createCompletion({
            ...common,
            prompt: request.prompt,
            onData: (chunk: RawCompletionChunk) => take(chunk, chunk.choices[0]?.text),
          });
        }
      } catch (cause) {
        if (!isAbortError(cause)) throw new EngineFailure(generationError(cause, contextSize));
        aborted = true;
      }

      return run.result(
        aborted,
        timings
          ? {
              promptTokens: timings.prompt_n,
              outputTokens: timings.predicted_n,
              prefillMs: timings.prompt_ms,
              decodeMs: timings.predicted_ms,
            }
          : null,
      );
    },

    unload: () => wllama.exit(),
  };
}

function generationError(cause: unknown, contextSize: number): EngineError {
  const detail = describe(cause);
  const type = (cause as { type?: unknown }).type;
  if (type === 'kv_cache_full' || /context size|context length|context window/i.test(detail)) {
    return { kind: 'context-overflow', contextSize };
  }
  if (/device.*lost/i.test(detail)) return { kind: 'gpu-device-lost', detail };
  return { kind: 'generation-failed', detail };
}
