import type {
  BenchmarkRun,
  EngineError,
  GenerateRequest,
  LoadedModel,
  ModelOutcome,
  ScoreResult,
} from '../../shared/engine-protocol.ts';
import { summarize } from '../../shared/summary.ts';
import type { EngineSession } from '../../lib/engine-store.ts';
import type { LabAnswer, LabRow, LabSettings, LabVariant, SpeedResult } from './lab-types.ts';
import { compareWithReference, perplexity } from './quality-metrics.ts';

/** Where a run is, for the progress display. */
export interface LabProgress {
  /** Index in the plan's order of the variant being measured. */
  variant: number;
  of: number;
  stage: 'loading' | 'quality' | 'speed' | 'answers' | 'restoring';
  /** Within the stage, 0–1, where the engine says. */
  fraction: number | null;
  /** Variants finished (done or failed) so far. */
  finished: number;
}

export interface LabRunHooks {
  signal: AbortSignal;
  onProgress: (progress: LabProgress) => void;
  /** Each variant's row as soon as it is finished (done or failed). */
  onRow: (row: LabRow) => void;
}

/** The scored sequence of the reference, which every other variant is forced through. */
export interface LabEvaluation {
  prompt: string;
  score: ScoreResult;
}

export interface LabRunOutcome {
  rows: LabRow[];
  /** The index in `rows` of the reference, null when no variant could be scored. */
  referenceIndex: number | null;
  evaluation: LabEvaluation | null;
  cancelled: boolean;
  /**
   * The model loaded again after the run (the one the chat had), or why it could not be; null
   * when there was none (the last variant is then unloaded).
   */
  restored: ModelOutcome<LoadedModel> | null;
}

/** Built-in prompts every variant answers greedily, side by side. */
export interface LabRunInput {
  /** In run order: the intended reference (most precise) first. */
  variants: LabVariant[];
  settings: LabSettings;
  prompts: readonly string[];
  /** The model loaded before the run, loaded again after it. */
  previous: LoadedModel | null;
}

/** Roughly 4 characters a token: only where no scored tokens tell the real pieces. */
const CHARS_PER_TOKEN = 4;

/**
 * About `tokens` tokens of text for the prefill measurement: the evaluation's prompt and the
 * first scored pieces where the reference was scored, so the count is close to exact.
 */
export function prefillPrompt(
  evaluation: LabEvaluation | null,
  settings: Pick<LabSettings, 'evaluationPrompt' | 'evaluationText'>,
  tokens: number,
): string {
  if (!evaluation) {
    return (settings.evaluationPrompt + settings.evaluationText).slice(0, tokens * CHARS_PER_TOKEN);
  }
  const pieces = evaluation.score.positions
    .slice(0, Math.max(0, tokens - evaluation.score.promptTokens))
    .map((position) => position.text);
  return evaluation.prompt + pieces.join('');
}

const tokensPerSecond = (tokens: number, ms: number) => (ms > 0 ? (tokens / ms) * 1000 : 0);

function speedOf(runs: BenchmarkRun[], backend: LoadedModel['backend']): SpeedResult {
  return {
    backend,
    prefillTokens: runs[0]?.prefill.tokens ?? 0,
    decodeTokens: runs[0]?.decode.tokens ?? 0,
    prefill: summarize(runs.map((run) => tokensPerSecond(run.prefill.tokens, run.prefill.ms))),
    decode: summarize(runs.map((run) => tokensPerSecond(run.decode.tokens, run.decode.ms))),
  };
}

const emptyRow = (variant: LabVariant): LabRow => ({
  variant,
  status: 'done',
  error: null,
  sizeBytes: variant.sizeBytes,
  bitsPerWeight: null,
  loadMs: null,
  memory: null,
  speeds: [],
  quality: null,
  perplexity: null,
  qualityNote: null,
  answers: [],
});

/** A step failed: the outcome's error, or cancelled. */
class StepFailed extends Error {
  constructor(readonly error: EngineError) {
    super(error.kind);
  }
}

const valueOf = <T>(outcome: ModelOutcome<T>): T => {
  if (!outcome.ok) throw new StepFailed(outcome.error);
  return outcome.value;
};

/**
 * Runs a comparison on a held engine: each variant in turn is loaded (downloaded first if it is
 * not stored), scored on the evaluation text, benchmarked on each backend, asked the built-in
 * prompts, and replaced by the next. A variant that fails keeps its message and the run goes
 * on; a cancel keeps every finished row. Afterwards the model loaded before is loaded again.
 *
 * The first variant that can be scored becomes the reference: it is forced through the text
 * (the engine finds its tokens) and every later one through those exact tokens, so all are
 * scored on one sequence.
 */
export async function runLab(
  session: EngineSession,
  input: LabRunInput,
  hooks: LabRunHooks,
): Promise<LabRunOutcome> {
  const { variants, settings, prompts } = input;
  const { signal } = hooks;
  // Read through a call: a property read is narrowed by TypeScript across the awaits below.
  const aborted = () => signal.aborted;
  const rows: LabRow[] = [];
  let evaluation: LabEvaluation | null = null;
  let referenceIndex: number | null = null;
  const text = { prompt: settings.evaluationPrompt, target: settings.evaluationText };

  for (const [index, variant] of variants.entries()) {
    if (aborted()) break;
    const progress = (stage: LabProgress['stage'], fraction: number | null = null) =>
      hooks.onProgress({ variant: index, of: variants.length, stage, fraction, finished: index });
    const row = emptyRow(variant);

    try {
      const [firstBackend = 'auto', ...otherBackends] = settings.backends;
      progress('loading');
      const model = valueOf(await session.load(variant.spec, firstBackend));
      row.sizeBytes = model.sizeBytes ?? variant.sizeBytes;
      row.loadMs = model.loadMs;
      row.memory = model.memory;
      row.bitsPerWeight = model.weights
        ? (model.weights.bytes * 8) / model.weights.parameters
        : null;

      progress('quality', 0);
      const score: ScoreResult | null = await scoreVariant(
        session,
        model,
        evaluation,
        text,
        settings,
        signal,
        (f) => progress('quality', f),
      ).catch((cause: unknown) => {
        // A variant that cannot be scored (web-llm) still gets its speed and answers.
        if (cause instanceof StepFailed && cause.error.kind === 'not-supported') {
          row.qualityNote = 'This engine cannot score a forced text (web-llm).';
          return null;
        }
        throw cause;
      });
      if (score && !evaluation) {
        evaluation = { prompt: text.prompt, score };
        referenceIndex = index;
        row.qualityNote = 'Reference';
      } else if (score && evaluation) {
        row.quality = compareWithReference(evaluation.score.positions, score.positions);
      }
      row.perplexity = score ? perplexity(score.positions) : null;

      progress('speed', 0);
      row.speeds.push(
        await benchmark(session, model, evaluation, settings, signal, (f) => progress('speed', f)),
      );
      progress('answers', 0);
      row.answers = await answer(session, model, prompts, settings, signal, (f) =>
        progress('answers', f),
      );
      for (const backend of otherBackends) {
        progress('loading');
        const again = valueOf(await session.load(variant.spec, backend));
        row.speeds.push(
          await benchmark(session, again, evaluation, settings, signal, (f) =>
            progress('speed', f),
          ),
        );
      }
    } catch (cause) {
      const error: EngineError =
        cause instanceof StepFailed
          ? cause.error
          : { kind: 'internal', detail: cause instanceof Error ? cause.message : String(cause) };
      row.status = error.kind === 'cancelled' || aborted() ? 'cancelled' : 'failed';
      row.error = error;
    }
    if (row.status === 'cancelled') break;
    rows.push(row);
    hooks.onRow(row);
  }

  hooks.onProgress({
    variant: variants.length - 1,
    of: variants.length,
    stage: 'restoring',
    fraction: null,
    finished: rows.length,
  });
  // The engine is left as it was found: the chat's model again, or none.
  const restored = input.previous
    ? await session.load(
        input.previous.spec,
        input.previous.backend.kind === 'cpu' ? 'cpu' : 'auto',
      )
    : await session.unload().then(() => null);
  return { rows, referenceIndex, evaluation, cancelled: signal.aborted, restored };
}

/** Room for the scored tokens: the context less the prompt's sentence (with a margin). */
const PROMPT_MARGIN = 96;

/** Scores the text (the reference) or the reference's tokens (every other variant). */
async function scoreVariant(
  session: EngineSession,
  model: LoadedModel,
  evaluation: LabEvaluation | null,
  text: { prompt: string; target: string },
  settings: LabSettings,
  signal: AbortSignal,
  onFraction: (fraction: number) => void,
): Promise<ScoreResult> {
  const room = Math.max(1, model.contextSize - PROMPT_MARGIN);
  const outcome = await session.score(
    {
      prompt: text.prompt,
      target: evaluation
        ? { tokens: evaluation.score.positions.map((position) => position.token) }
        : { text: text.target, maxTokens: Math.min(settings.evaluationTokens, room) },
      topK: settings.topK,
    },
    { signal, onEvent: (event) => onFraction(event.total ? event.scored / event.total : 0) },
  );
  return valueOf(outcome);
}

async function benchmark(
  session: EngineSession,
  model: LoadedModel,
  evaluation: LabEvaluation | null,
  settings: LabSettings,
  signal: AbortSignal,
  onFraction: (fraction: number) => void,
): Promise<SpeedResult> {
  const outcome = await session.benchmark(
    {
      promptText: prefillPrompt(evaluation, settings, settings.promptTokens),
      decodeTokens: settings.decodeTokens,
      repetitions: settings.repetitions,
    },
    { signal, onEvent: (event) => onFraction((event.repetition - 1) / event.of) },
  );
  return speedOf(valueOf(outcome), model.backend);
}

/** Greedy answers to the built-in prompts: chat where the model has a template, else text. */
async function answer(
  session: EngineSession,
  model: LoadedModel,
  prompts: readonly string[],
  settings: LabSettings,
  signal: AbortSignal,
  onFraction: (fraction: number) => void,
): Promise<LabAnswer[]> {
  const answers: LabAnswer[] = [];
  const sampling = { temperature: 0, maxTokens: settings.answerTokens };
  for (const [index, prompt] of prompts.entries()) {
    onFraction(index / prompts.length);
    const request: GenerateRequest = model.hasChatTemplate
      ? { mode: 'chat', messages: [{ role: 'user', content: prompt }], sampling }
      : { mode: 'complete', prompt, sampling };
    const result = valueOf(await session.generate(request, () => undefined, signal));
    if (result.finishReason === 'aborted') throw new StepFailed({ kind: 'cancelled' });
    answers.push({ prompt, text: result.text });
  }
  return answers;
}
