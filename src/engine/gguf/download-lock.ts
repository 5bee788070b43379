import { downloadLockName } from '../../shared/model-keys.ts';
import { EngineFailure } from '../../shared/engine-failure.ts';

/**
 * One download per GGUF model across tabs: a Web Lock per model, held while it downloads (and
 * while it is deleted). Without Web Locks every tab goes ahead on its own.
 */

/**
 * Runs `work` holding the lock of the model at `modelUrl`. When another tab holds it,
 * `whileWaiting` is started with a signal that aborts once this tab gets the lock (or gives up),
 * and `work` runs after the other tab is done.
 *
 * @throws EngineFailure `cancelled` when `signal` aborts the wait; whatever `work` throws.
 */
export async function withDownloadLock<T>(
  modelUrl: string,
  signal: AbortSignal,
  whileWaiting: (stop: AbortSignal) => void,
  work: () => Promise<T>,
): Promise<T> {
  if (!('locks' in navigator)) return work();
  const name = downloadLockName(modelUrl);
  const free = await navigator.locks.request(name, { ifAvailable: true }, async (lock) =>
    lock ? { value: await work() } : null,
  );
  if (free) return free.value;

  const waiting = new AbortController();
  whileWaiting(waiting.signal);
  try {
    return await navigator.locks.request(name, { signal }, work);
  } catch (cause) {
    if (signal.aborted) throw new EngineFailure({ kind: 'cancelled' });
    throw cause;
  } finally {
    waiting.abort();
  }
}

/**
 * Runs `work` holding the lock of the model at `modelUrl` if no tab holds it now, without
 * waiting. Returns false, having run nothing, when another tab (or this one) is downloading it.
 */
export async function ifNotDownloading(
  modelUrl: string,
  work: () => Promise<void>,
): Promise<boolean> {
  if (!('locks' in navigator)) {
    await work();
    return true;
  }
  return navigator.locks.request(downloadLockName(modelUrl), { ifAvailable: true }, async (lock) =>
    lock ? (await work(), true) : false,
  );
}
