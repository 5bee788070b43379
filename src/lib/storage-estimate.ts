import { useEffect, useState } from 'react';

/** What the browser says about this origin's storage (`navigator.storage`). */
export interface StorageFacts {
  usageBytes: number | null;
  quotaBytes: number | null;
  /** Null while unknown or where the browser has no persistence API. */
  persisted: boolean | null;
}

const UNKNOWN: StorageFacts = { usageBytes: null, quotaBytes: null, persisted: null };

/** Bytes this origin may still store, by the browser's estimate; null where it does not say. */
export const freeBytes = (facts: StorageFacts): number | null =>
  facts.usageBytes !== null && facts.quotaBytes !== null
    ? Math.max(0, facts.quotaBytes - facts.usageBytes)
    : null;

export async function readStorageFacts(): Promise<StorageFacts> {
  if (!('storage' in navigator)) return UNKNOWN;
  const [{ usage, quota }, persisted] = await Promise.all([
    navigator.storage.estimate(),
    navigator.storage.persisted().catch(() => null),
  ]);
  return { usageBytes: usage ?? null, quotaBytes: quota ?? null, persisted };
}

/**
 * Asks once for persistent storage, so that the browser does not evict models when space runs
 * low (Chromium decides by itself, without a prompt), and reads the storage facts again whenever
 * `version` changes (e.g. after a download or a delete).
 */
export function useStorageFacts(version: unknown): StorageFacts {
  const [facts, setFacts] = useState<StorageFacts>(UNKNOWN);
  useEffect(() => {
    if (!('storage' in navigator)) return;
    void navigator.storage
      .persist()
      .catch(() => false)
      .then(() => readStorageFacts())
      .then(setFacts);
  }, []);
  useEffect(() => {
    let current = true;
    void readStorageFacts().then((next) => {
      if (current) setFacts(next);
    });
    return () => {
      current = false;
    };
  }, [version]);
  return facts;
}
