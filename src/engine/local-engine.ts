import type { GenerateRequest, GenerationResult, LoadedModel } from '../lib/engine-protocol.ts';

/**
 * A loaded model inside the worker. Two implementations: GGUF through wllama and MLC through
 * web-llm; the worker API does not care which.
 */
export interface LocalEngine {
  readonly loaded: LoadedModel;

  /**
   * Streams the answer through `onToken`. When `signal` aborts, resolves with the partial text and
   * `finishReason: 'aborted'`.
   *
   * @throws EngineFailure `context-overflow`, `gpu-device-lost` or `generation-failed`.
   */
  generate: (
    request: GenerateRequest,
    onToken: (text: string) => void,
    signal: AbortSignal,
  ) => Promise<GenerationResult>;

  /** Frees the model's memory (wasm heap, GPU buffers). */
  unload: () => Promise<void>;
}

/**
 * Times a run where the tokens are produced. Used when the engine reports no timings of its own
 * (e.g. a run stopped before its final chunk).
 */
export class RunClock {
  private readonly startedAt = performance.now();
  private firstTokenAt: number | null = null;
  private lastTokenAt: number | null = null;
  tokens = 0;

  token(): void {
    const now = performance.now();
    this.firstTokenAt ??= now;
    this.lastTokenAt = now;
    this.tokens += 1;
  }

  /** Time to the first token (prompt processing) and from the first token to the last. */
  spans(): { prefillMs: number; decodeMs: number } {
    const first = this.firstTokenAt ?? performance.now();
    return { prefillMs: first - this.startedAt, decodeMs: (this.lastTokenAt ?? first) - first };
  }
}
