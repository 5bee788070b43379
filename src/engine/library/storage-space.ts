import { EngineFailure } from '../../shared/engine-failure.ts';

/**
 * Refuses a download that will not fit in what the browser's quota leaves, with the numbers,
 * before any byte of it is stored. Where the browser gives no estimate, the download goes ahead
 * and a full quota is caught mid-way instead.
 *
 * @throws EngineFailure `not-enough-storage`
 */
export async function ensureSpace(neededBytes: number): Promise<void> {
  if (neededBytes <= 0 || !('storage' in navigator)) return;
  const { usage, quota } = await navigator.storage.estimate();
  if (usage === undefined || quota === undefined) return;
  const availableBytes = Math.max(0, quota - usage);
  if (neededBytes > availableBytes) {
    throw new EngineFailure({
      kind: 'not-enough-storage',
      neededBytes,
      availableBytes,
      quotaBytes: quota,
    });
  }
}

/** The origin's usage now, or null where the browser does not say. */
export async function usageBytes(): Promise<number | null> {
  if (!('storage' in navigator)) return null;
  const { usage } = await navigator.storage.estimate();
  return usage ?? null;
}
