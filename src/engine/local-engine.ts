import type {
  BenchmarkEvent,
  BenchmarkRequest,
  BenchmarkRun,
  EngineError,
  GenerateRequest,
  GenerationResult,
  LoadedModel,
  RunMeasurements,
  ScoreEvent,
  ScoreRequest,
  ScoreResult,
} from '../shared/engine-protocol.ts';

/**
 * A loaded model inside the worker. Two implementations: GGUF through wllama and MLC through
 * web-llm; the worker API does not care which.
 */
export interface LocalEngine {
  readonly loaded: LoadedModel;

  /**
   * Settles when the model stops being usable by itself, between calls as well as during one
   * (its GPU device lost, the engine's own worker dead); never rejects. The engine API then
   * drops the model and tells the page (`EngineApi.lostModel`).
   */
  readonly fault: Promise<EngineError>;

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

  /**
   * Teacher-forces `request.target` (see `ScoreRequest`).
   *
   * @throws EngineFailure `cancelled`, `not-supported`, `context-overflow`, `generation-failed`
   */
  score: (
    request: ScoreRequest,
    onProgress: (event: ScoreEvent) => void,
    signal: AbortSignal,
  ) => Promise<ScoreResult>;

  /**
   * Measures prefill and decode, one entry per repetition.
   *
   * @throws EngineFailure `cancelled`, `gpu-device-lost`, `generation-failed`
   */
  benchmark: (
    request: BenchmarkRequest,
    onProgress: (event: BenchmarkEvent) => void,
    signal: AbortSignal,
  ) => Promise<BenchmarkRun[]>;

  /** Frees the model's memory (wasm heap, GPU buffers). */
  unload: () => Promise<void>;
}

/**
 * Collects one run's streamed text where the tokens are produced: passes each piece on, notes
 * whether the engine stopped at the token limit, and times the run itself for when the engine
 * reports no timings of its own (e.g. a run stopped before its final chunk).
 */
export class RunRecorder {
  private readonly startedAt = performance.now();
  private firstPieceAt: number | null = null;
  private lastPieceAt: number | null = null;
  private pieces = 0;
  text = '';
  hitLimit = false;

  constructor(private readonly onToken: (text: string) => void) {}

  /** One streamed chunk: its text (if any) and the engine's finish reason (if any). */
  take(piece: string | null | undefined, finishReason: string | null | undefined): void {
    if (finishReason === 'length') this.hitLimit = true;
    if (!piece) return;
    const now = performance.now();
    this.firstPieceAt ??= now;
    this.lastPieceAt = now;
    this.pieces += 1;
    this.text += piece;
    this.onToken(piece);
  }

  result(aborted: boolean, engineMeasurements: RunMeasurements | null): GenerationResult {
    const first = this.firstPieceAt ?? performance.now();
    return {
      text: this.text,
      finishReason: aborted ? 'aborted' : this.hitLimit ? 'length' : 'stop',
      measurements: engineMeasurements ?? {
        promptTokens: 0,
        outputTokens: this.pieces,
        prefillMs: first - this.startedAt,
        decodeMs: (this.lastPieceAt ?? first) - first,
      },
    };
  }
}
