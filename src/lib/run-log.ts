import type {
  Backend,
  EngineKind,
  GenerationResult,
  LoadedModel,
  RunMeasurements,
} from '../shared/engine-protocol.ts';
import { createExternalStore, type ExternalStore } from './external-store.ts';
import type { StreamSample } from './speed.ts';

/**
 * One generation as the UI saw it. Timestamps are the main thread's `performance.now()`, so the
 * time to first token includes the hop through the worker; counts and engine timings come from
 * the worker once the run ends.
 */
export interface RunRecord {
  id: number;
  modelName: string;
  engine: EngineKind;
  backend: Backend;
  /** When the user pressed Send. */
  sentAt: number;
  firstTokenAt: number | null;
  lastTokenAt: number | null;
  tokensReceived: number;
  /**
   * Pieces received so far, sampled at the first piece, then at most every `SAMPLE_MS`, and at
   * the last piece once the run ends: enough for a chart of the rate over the answer without a
   * copy of a growing list on every token.
   */
  samples: StreamSample[];
  endedAt: number | null;
  outcome: GenerationResult['finishReason'] | 'error' | null;
  measurements: RunMeasurements | null;
}

/**
 * The recent runs, oldest first (the last one may still be running). A store of its own, so a
 * token touches only the running record and never the engine's lifecycle snapshot.
 */
export interface RunLog extends ExternalStore<readonly RunRecord[]> {
  begin: (model: LoadedModel, sentAt: number) => number;
  /** A piece of text arrived at `at`; listeners hear of it at the next frame. */
  token: (id: number, at: number) => void;
  end: (id: number, result: GenerationResult | null, at: number) => void;
}

const MAX_RUNS = 20;
/** Milliseconds between the samples of a run's progress (a chart point per sample). */
export const SAMPLE_MS = 250;

export function createRunLog(): RunLog {
  const store = createExternalStore<readonly RunRecord[]>([]);
  let nextId = 1;

  /** Runs end in order, so the one to change is nearly always the last. */
  const change =
    (id: number, update: (run: RunRecord) => RunRecord) => (runs: readonly RunRecord[]) => {
      const index = runs.findLastIndex((run) => run.id === id);
      if (index === -1) return runs;
      const next = runs.slice();
      next[index] = update(runs[index] as RunRecord);
      return next;
    };

  return {
    ...store,
    begin(model, sentAt) {
      const id = nextId++;
      const run: RunRecord = {
        id,
        modelName: model.name,
        engine: model.spec.engine,
        backend: model.backend,
        sentAt,
        firstTokenAt: null,
        lastTokenAt: null,
        tokensReceived: 0,
        samples: [],
        endedAt: null,
        outcome: null,
        measurements: null,
      };
      store.set((runs) => [...runs, run].slice(-MAX_RUNS));
      return id;
    },
    token(id, at) {
      store.setBatched(
        change(id, (run) => {
          const tokensReceived = run.tokensReceived + 1;
          const sampled = run.samples.at(-1);
          const sample = !sampled || at - sampled.at >= SAMPLE_MS;
          return {
            ...run,
            firstTokenAt: run.firstTokenAt ?? at,
            lastTokenAt: at,
            tokensReceived,
            samples: sample ? [...run.samples, { at, tokens: tokensReceived }] : run.samples,
          };
        }),
      );
    },
    end(id, result, at) {
      store.set(
        change(id, (run) => ({
          ...run,
          samples:
            run.lastTokenAt !== null && run.samples.at(-1)?.at !== run.lastTokenAt
              ? [...run.samples, { at: run.lastTokenAt, tokens: run.tokensReceived }]
              : run.samples,
          endedAt: at,
          // Time to first token counts from when the engine started, not from a wait for another tab.
          sentAt: run.sentAt + (result?.waitedForTabMs ?? 0),
          outcome: result ? result.finishReason : 'error',
          measurements: result ? result.measurements : null,
        })),
      );
    },
  };
}
