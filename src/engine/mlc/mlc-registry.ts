import { createStore, del, entries, set, type UseStore } from 'idb-keyval';

/**
 * Which MLC models this app has stored through web-llm's IndexedDB cache. web-llm can only be
 * asked model by model (`hasModelInCache`), so we remember the ids; each listed id is still
 * confirmed against web-llm's cache before it is shown as stored.
 */
export interface MlcStoredRecord {
  version: 1;
  modelId: string;
  storedAt: number;
  /** How much the origin's usage grew while it downloaded (web-llm does not say its size). */
  storedBytes: number | null;
}

export function openMlcRegistry(prefix = 'tab-llm'): UseStore {
  return createStore(`${prefix}-mlc-models`, 'models');
}

function restoreMlcRecord(raw: unknown): MlcStoredRecord | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (r.version !== 1 || typeof r.modelId !== 'string' || typeof r.storedAt !== 'number') {
    return null;
  }
  const storedBytes = typeof r.storedBytes === 'number' && r.storedBytes > 0 ? r.storedBytes : null;
  return { version: 1, modelId: r.modelId, storedAt: r.storedAt, storedBytes };
}

export async function listMlcRecords(registry: UseStore): Promise<MlcStoredRecord[]> {
  const all = await entries(registry);
  return all.map(([, value]) => restoreMlcRecord(value)).filter((r) => r !== null);
}

export const rememberMlcModel = (registry: UseStore, modelId: string, storedBytes: number | null) =>
  set(
    modelId,
    { version: 1, modelId, storedAt: Date.now(), storedBytes } satisfies MlcStoredRecord,
    registry,
  );

export const forgetMlcModel = (registry: UseStore, modelId: string) => del(modelId, registry);
