import type { DeviceReport, LoadedModel } from '../../shared/engine-protocol.ts';
import { sameModel } from '../../shared/model-keys.ts';
import type { EngineStore } from '../../lib/engine-store.ts';
import { loadedModel } from '../../lib/engine-lifecycle.ts';
import { createExternalStore, type ExternalStore } from '../../lib/external-store.ts';
import type { LabArchive } from './lab-archive.ts';
import { runOrder } from './lab-plan.ts';
import { runLab, type LabProgress } from './lab-runner.ts';
import type { LabRow, LabRun, LabSettings, LabVariant } from './lab-types.ts';
import { EVALUATION_PROMPT, EVALUATION_TEXT, LAB_PROMPTS } from './evaluation-text.ts';

export const defaultLabSettings: LabSettings = {
  backends: ['auto'],
  repetitions: 3,
  promptTokens: 512,
  decodeTokens: 128,
  evaluationTokens: 2000,
  topK: 32,
  answerTokens: 48,
  evaluationPrompt: EVALUATION_PROMPT,
  evaluationText: EVALUATION_TEXT,
};

/** A comparison in progress: what it measures, how far it is and what it has so far. */
export interface LabActivity {
  variants: LabVariant[];
  progress: LabProgress | null;
  rows: LabRow[];
  startedAt: number;
}

export interface LabState {
  picked: LabVariant[];
  settings: LabSettings;
  running: LabActivity | null;
  /** The run shown: the last one finished, or one opened from the saved list. */
  shown: LabRun | null;
  saved: LabRun[];
  /** Why the last action could not be done (the engine was busy, saving failed…). */
  problem: string | null;
}

export interface LabStore extends ExternalStore<LabState> {
  pick: (variant: LabVariant) => void;
  unpick: (variant: LabVariant) => void;
  setSettings: (change: Partial<LabSettings>) => void;
  /** Runs the picked variants; resolves with the finished run (also when cancelled). */
  start: () => Promise<LabRun | null>;
  cancel: () => void;
  open: (id: string) => void;
  remove: (id: string) => Promise<void>;
  /** Picks the variants and settings of a saved run again, to run it anew. */
  again: (run: LabRun) => void;
  refreshSaved: () => Promise<void>;
}

export interface LabStoreParts {
  engine: EngineStore;
  archive: LabArchive;
  appVersion: string;
  /** Run ids; `crypto.randomUUID` in the app. */
  newId?: () => string;
}

/** The browser's navigator; absent where the store runs without one (tests in Node 20). */
const agent = (globalThis as { navigator?: Navigator }).navigator;

const describe = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause));

export function createLabStore({
  engine,
  archive,
  appVersion,
  newId = () => crypto.randomUUID(),
}: LabStoreParts): LabStore {
  const store = createExternalStore<LabState>({
    picked: [],
    settings: defaultLabSettings,
    running: null,
    shown: null,
    saved: [],
    problem: null,
  });
  let controller: AbortController | null = null;

  const patch = (change: Partial<LabState>) => store.set((s) => ({ ...s, ...change }));
  const activity = (change: (running: LabActivity) => Partial<LabActivity>) =>
    store.setBatched((s) =>
      s.running ? { ...s, running: { ...s.running, ...change(s.running) } } : s,
    );

  const refreshSaved = async () => {
    const saved = await archive.list().catch(() => store.get().saved);
    patch({ saved });
  };

  return {
    ...store,
    refreshSaved,

    pick(variant) {
      const { picked } = store.get();
      if (picked.some((p) => sameModel(p.spec, variant.spec))) return;
      patch({ picked: [...picked, variant], problem: null });
    },

    unpick(variant) {
      patch({ picked: store.get().picked.filter((p) => !sameModel(p.spec, variant.spec)) });
    },

    setSettings(change) {
      patch({ settings: { ...store.get().settings, ...change } });
    },

    async start() {
      const { picked, settings, running } = store.get();
      if (running) return null;
      const previous: LoadedModel | null = loadedModel(engine.get().state);
      const session = engine.hold('Compare');
      if (!session) {
        patch({
          problem:
            'The engine is busy (an answer or a load is under way). Wait for it to finish, then run again.',
        });
        return null;
      }
      controller = new AbortController();
      const variants = runOrder(picked);
      const startedAt = Date.now();
      patch({ running: { variants, progress: null, rows: [], startedAt }, problem: null });
      try {
        const outcome = await runLab(
          session,
          { variants, settings, prompts: LAB_PROMPTS, previous },
          {
            signal: controller.signal,
            onProgress: (progress) => activity(() => ({ progress })),
            onRow: (row) => activity((current) => ({ rows: [...current.rows, row] })),
          },
        );
        const device: DeviceReport | null = engine.get().device;
        const run: LabRun = {
          version: 1,
          id: newId(),
          startedAt,
          finishedAt: Date.now(),
          appVersion,
          device: {
            report: device,
            userAgent: agent?.userAgent ?? 'unknown',
            logicalCores: agent?.hardwareConcurrency ?? 0,
          },
          settings,
          reference:
            outcome.referenceIndex === null
              ? null
              : (outcome.rows[outcome.referenceIndex]?.variant.spec ?? null),
          evaluation: outcome.evaluation && {
            prompt: outcome.evaluation.prompt,
            promptTokens: outcome.evaluation.score.promptTokens,
            tokens: outcome.evaluation.score.positions.map((position) => position.token),
            canonicalTokens: outcome.evaluation.score.canonicalTokens,
            topK: outcome.evaluation.score.topK,
            tokenization: outcome.evaluation.score.tokenization,
          },
          rows: outcome.rows,
          cancelled: outcome.cancelled,
        };
        const restoreProblem =
          outcome.restored && !outcome.restored.ok
            ? `The model you had loaded could not be loaded again (${outcome.restored.error.kind}); load it from Models.`
            : null;
        const saveProblem = await archive.save(run).then(
          () => null,
          (cause: unknown) =>
            `This run could not be saved (${describe(cause)}); export it now to keep it.`,
        );
        patch({ running: null, shown: run, problem: saveProblem ?? restoreProblem });
        await refreshSaved();
        return run;
      } finally {
        controller = null;
        session.release();
        if (store.get().running) patch({ running: null });
      }
    },

    cancel() {
      controller?.abort();
    },

    open(id) {
      const run = store.get().saved.find((saved) => saved.id === id);
      if (run) patch({ shown: run, problem: null });
    },

    async remove(id) {
      await archive.remove(id);
      const { shown } = store.get();
      if (shown?.id === id) patch({ shown: null });
      await refreshSaved();
    },

    again(run) {
      patch({ picked: run.rows.map((row) => row.variant), settings: run.settings, problem: null });
    },
  };
}
