import { createStore, del, entries, set, type UseStore } from 'idb-keyval';
import type { ModelSpec } from '../../shared/engine-protocol.ts';
import { modelKey } from '../../shared/model-keys.ts';

/** When each stored model was last loaded, keyed by `modelKey`. One store for this one concern. */
export function openUsageStore(prefix = 'tab-llm'): UseStore {
  return createStore(`${prefix}-model-usage`, 'last-used');
}

export const markUsed = (usage: UseStore, spec: ModelSpec) =>
  set(modelKey(spec), Date.now(), usage);

export const forgetUsage = (usage: UseStore, spec: ModelSpec) => del(modelKey(spec), usage);

/** Last-used times by key; damaged records are skipped. */
export async function readUsage(usage: UseStore): Promise<Map<string, number>> {
  const all = await entries(usage);
  return new Map(
    all.flatMap(([key, value]) =>
      typeof key === 'string' && typeof value === 'number' ? [[key, value] as const] : [],
    ),
  );
}
