import { createStore, del, set, values, type UseStore } from 'idb-keyval';
import type { LabRun } from './lab-types.ts';

/**
 * Comparisons, saved in this browser's IndexedDB (a store of their own) so that one can be opened
 * again later, offline, exported or run again. Read back through `restoreLabRun`: a damaged or
 * unknown record is skipped, never shown half.
 */
export interface LabArchive {
  /** Every readable run, the newest first. */
  list: () => Promise<LabRun[]>;
  /** @throws the browser's QuotaExceededError when storage is full. */
  save: (run: LabRun) => Promise<void>;
  remove: (id: string) => Promise<void>;
}

export function openLabArchive(store: UseStore = createStore('tab-llm-lab', 'runs')): LabArchive {
  return {
    async list() {
      const raw = await values(store);
      return raw
        .map(restoreLabRun)
        .filter((run) => run !== null)
        .sort((a, b) => b.startedAt - a.startedAt);
    },
    save: (run) => set(run.id, run, store),
    remove: (id) => del(id, store),
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/**
 * A stored run as this version reads it, or null when it is not one: the version, the fields
 * every view reads, and rows that each name their variant. Numbers inside rows are shown as
 * they are (a missing one shows as a dash).
 */
export function restoreLabRun(raw: unknown): LabRun | null {
  if (!isObject(raw) || raw.version !== 1) return null;
  if (typeof raw.id !== 'string' || typeof raw.startedAt !== 'number') return null;
  if (!isObject(raw.settings) || !Array.isArray(raw.rows)) return null;
  const rowsReadable = raw.rows.every(
    (row) =>
      isObject(row) &&
      isObject(row.variant) &&
      typeof row.variant.label === 'string' &&
      Array.isArray(row.speeds) &&
      Array.isArray(row.answers),
  );
  const { evaluation } = raw;
  const evaluationReadable =
    evaluation === null || (isObject(evaluation) && Array.isArray(evaluation.tokens));
  if (!rowsReadable || !evaluationReadable) return null;
  const run = raw as unknown as LabRun;
  return run.evaluation ? { ...run, evaluation: restoreEvaluation(run.evaluation) } : run;
}

/**
 * Runs saved before the lab reproduced the model's tokenizer say nothing of how
 * the scored tokens were found: the model then always chose them itself, greedily.
 */
function restoreEvaluation(evaluation: NonNullable<LabRun['evaluation']>): LabRun['evaluation'] {
  const { tokenization: t } = evaluation as { tokenization?: unknown };
  const known =
    isObject(t) &&
    (t.kind === 'given' ||
      t.kind === 'canonical' ||
      (t.kind === 'greedy' && typeof t.reason === 'string'));
  if (known) return evaluation;
  const reason = 'the run was saved by an earlier version, which did not reproduce tokenizers';
  return { ...evaluation, tokenization: { kind: 'greedy', reason } };
}
