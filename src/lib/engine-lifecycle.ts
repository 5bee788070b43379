import type { EngineError, LoadEvent, LoadedModel, ModelSpec } from '../shared/engine-protocol.ts';
import { modelKey } from '../shared/model-keys.ts';

/**
 * The engine's lifecycle: one union, its transitions (pure functions) and the selectors every
 * component uses (`canLoad`, `canGenerate`: the one definition of "busy").
 */

export interface DownloadSample {
  /** `Date.now()` in the worker when these bytes had arrived. */
  at: number;
  bytes: number;
}

export interface DownloadState {
  loadedBytes: number;
  totalBytes: number | null;
  /** Recent samples, oldest first, for speed and time-left estimates. */
  samples: DownloadSample[];
  /** Another tab is downloading this model; this one waits and then uses the stored copy. */
  inOtherTab: boolean;
}

export type EngineState =
  | { status: 'starting' }
  | { status: 'unsupported'; reason: string }
  | { status: 'idle' }
  | { status: 'downloading'; spec: ModelSpec; download: DownloadState }
  /** `hashed`: how far the SHA-256 check of the stored bytes is, while it runs. */
  | {
      status: 'loading';
      spec: ModelSpec;
      stage: 'verifying' | 'initializing';
      hashed?: { bytes: number; totalBytes: number };
    }
  | { status: 'ready'; model: LoadedModel }
  /** `waitingForTab`: another tab's model is working; this run starts when it is done. */
  | { status: 'generating'; model: LoadedModel; waitingForTab?: boolean }
  /** Scored or benchmarked (the quantization lab). */
  | { status: 'measuring'; model: LoadedModel; waitingForTab?: boolean }
  /**
   * `model` is what is still loaded and usable after the failure, if anything; `spec` is what
   * failed to load, so that it can be resumed or downloaded again. `attempt` counts the failed
   * loads of that model in a row, this one included: a retry that fails the same way shows the
   * same message, and only the count says that it ran.
   */
  | {
      status: 'error';
      error: EngineError;
      model: LoadedModel | null;
      spec: ModelSpec | null;
      attempt: number;
    };

const MAX_SAMPLES = 50;

/** The model loaded now, busy or not (also after a failure that left it loaded). */
export function loadedModel(state: EngineState): LoadedModel | null {
  switch (state.status) {
    case 'ready':
    case 'generating':
    case 'measuring':
    case 'error':
      return state.model;
    default:
      return null;
  }
}

/** Whether a load (or an import, or a deletion) may start now: nothing else is under way. */
export const canLoad = (state: EngineState): boolean =>
  state.status === 'idle' || state.status === 'ready' || state.status === 'error';

/** Whether a message may be sent now: a model is loaded and nothing else is under way. */
export const canGenerate = (state: EngineState): boolean =>
  canLoad(state) && loadedModel(state) !== null;

export const isGenerating = (state: EngineState): boolean => state.status === 'generating';

/** Whether the run under way waits for another tab's model to finish. */
export const isWaitingForTab = (state: EngineState): boolean =>
  (state.status === 'generating' || state.status === 'measuring') && state.waitingForTab === true;

/** The state after a progress event of the load of `spec`. */
export function progressed(state: EngineState, spec: ModelSpec, event: LoadEvent): EngineState {
  if (event.type === 'stage') return { status: 'loading', spec, stage: event.stage };
  if (event.type === 'hashing') {
    const hashed = { bytes: event.hashedBytes, totalBytes: event.totalBytes };
    return { status: 'loading', spec, stage: 'verifying', hashed };
  }
  const samples = state.status === 'downloading' ? state.download.samples : [];
  return {
    status: 'downloading',
    spec,
    download: {
      loadedBytes: event.loadedBytes,
      totalBytes: event.totalBytes,
      samples: [...samples, { at: event.at, bytes: event.loadedBytes }].slice(-MAX_SAMPLES),
      inOtherTab: event.inOtherTab,
    },
  };
}

/** Failed loads of one model in a row (a model is named by its key). */
export interface FailureCount {
  key: string;
  attempts: number;
}

/**
 * The count after a load of `spec` ended in `error` (null after a success). A cancel is the
 * user's own stop: the next load starts a fresh count.
 */
export function countedFailure(
  previous: FailureCount | null,
  spec: ModelSpec,
  error: EngineError | null,
): FailureCount | null {
  if (error === null || error.kind === 'cancelled') return null;
  const key = modelKey(spec);
  return { key, attempts: previous?.key === key ? previous.attempts + 1 : 1 };
}

/** After a failed load or import: a cancel with nothing loaded is no error to show. */
export function loadFailed(
  error: EngineError,
  loaded: LoadedModel | null,
  spec: ModelSpec | null,
  attempt = 1,
): EngineState {
  return error.kind === 'cancelled' && !loaded
    ? { status: 'idle' }
    : { status: 'error', error, model: loaded, spec, attempt };
}

/**
 * After a failed answer: the answer shows its own error; the engine is in error only if the
 * model is gone (a lost GPU device), naming it so that it can be loaded again.
 */
export function runFailed(
  error: EngineError,
  loaded: LoadedModel | null,
  ran: ModelSpec,
): EngineState {
  return loaded
    ? { status: 'ready', model: loaded }
    : { status: 'error', error, model: null, spec: ran, attempt: 1 };
}

export function dismissed(state: EngineState): EngineState {
  if (state.status !== 'error') return state;
  return state.model ? { status: 'ready', model: state.model } : { status: 'idle' };
}
