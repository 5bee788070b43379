import type {
  Backend,
  BackendPreference,
  DeviceReport,
  EngineError,
  ModelMemory,
  ModelSpec,
  ScoreResult,
} from '../../shared/engine-protocol.ts';
import type { AttentionShape } from '../../shared/memory-estimate.ts';
import type { Summary } from '../../shared/summary.ts';
import type { QualityComparison } from './quality-metrics.ts';

/** Where a variant was picked from; the plan shows it, and a saved run keeps it. */
export type VariantSource = 'catalog' | 'hugging-face' | 'stored' | 'url' | 'local' | 'mlc';

/** One model file (or MLC model) to compare. */
export interface LabVariant {
  spec: ModelSpec;
  /** What a person calls it, e.g. `Q4_K_M`, or the file name. */
  label: string;
  /** llama.cpp's or MLC's quantization name where known (`Q8_0`, `q4f16_1`). */
  quantization: string | null;
  source: VariantSource;
  /** The download's size where known before it starts (listing, catalog, stored copy). */
  sizeBytes: number | null;
  /** What the KV cache's size depends on, where the catalog knows it before the download. */
  attention: AttentionShape | null;
  /** Memory it needs where its publisher says (web-llm's VRAM figure); else estimated. */
  memoryBytes?: number | null;
}

/** How a run measures; defaults in `defaultLabSettings`. */
export interface LabSettings {
  /** Speed on these backends, in order; quality and answers on the first. */
  backends: BackendPreference[];
  /** As llama-bench's `-r`: repetitions of each speed measurement. */
  repetitions: number;
  /** As llama-bench's `pp512`: the prompt's length in tokens, about. */
  promptTokens: number;
  /** As llama-bench's `tg128`: tokens generated. */
  decodeTokens: number;
  /** Tokens of the evaluation text scored (its start); longer is steadier and slower. */
  evaluationTokens: number;
  /** How many of the most likely tokens each position reports, for KL divergence. */
  topK: number;
  /** Length of each greedy answer to the built-in prompts. */
  answerTokens: number;
  /** Context read before the scored text, never scored itself (a title, say). Not empty. */
  evaluationPrompt: string;
  /** The text the variants are scored on; the app's passage unless the user pasted their own. */
  evaluationText: string;
}

/** Speed on one backend: tokens per second over the repetitions. */
export interface SpeedResult {
  /** The backend that actually ran (llama.cpp's report), not the one asked for. */
  backend: Backend;
  prefillTokens: number;
  decodeTokens: number;
  prefill: Summary;
  decode: Summary;
}

export interface LabAnswer {
  prompt: string;
  text: string;
}

/** What one variant measured: whatever finished before a failure or a cancel is kept. */
export interface LabRow {
  variant: LabVariant;
  status: 'done' | 'failed' | 'cancelled';
  error: EngineError | null;
  sizeBytes: number | null;
  bitsPerWeight: number | null;
  loadMs: number | null;
  memory: ModelMemory | null;
  speeds: SpeedResult[];
  /** Null for the reference itself and where quality could not be measured (`qualityNote`). */
  quality: QualityComparison | null;
  /** Perplexity on the evaluation text, also for the reference. */
  perplexity: number | null;
  qualityNote: string | null;
  answers: LabAnswer[];
}

/** A finished (or cancelled) comparison, as saved and exported. */
export interface LabRun {
  version: 1;
  id: string;
  startedAt: number;
  finishedAt: number;
  appVersion: string;
  device: { report: DeviceReport | null; userAgent: string; logicalCores: number };
  settings: LabSettings;
  /** The variant every other is compared with (the most precise one that could be scored). */
  reference: ModelSpec | null;
  /** The scored token sequence, so that anyone can score it again elsewhere (natively, say). */
  evaluation: {
    prompt: string;
    promptTokens: number;
    tokens: number[];
    /** Tokens of prompt + text read as one prompt; see `ScoreResult.canonicalTokens`. */
    canonicalTokens: number | null;
    topK: number;
    tokenization: ScoreResult['tokenization'];
  } | null;
  rows: LabRow[];
  cancelled: boolean;
}

/** A model family whose quantizations can be compared, as the catalog lists them. */
export interface LabFamily {
  family: string;
  engine: 'gguf' | 'mlc';
  variants: { variant: LabVariant; blocker: string | null }[];
}
