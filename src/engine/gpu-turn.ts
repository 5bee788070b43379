import { EngineFailure } from '../shared/engine-failure.ts';

/**
 * One answer or measurement at a time across this origin's tabs: a Web Lock held while the model
 * works. Two tabs generating at once would each run at about half speed on one GPU, with both
 * models' working memory in use at the same moment and every speed figure (the chat's, the lab's)
 * wrong; so the second waits, says so, and starts when the first is done. The lock goes with the
 * worker that holds it, so a crashed or closed tab never blocks the others.
 */
const GPU_TURN_LOCK = 'tab-llm:gpu-turn';

export interface Turn<T> {
  value: T;
  /** How long this call waited for another tab, in ms (0 when it did not wait). */
  waitedMs: number;
}

/**
 * Runs `work` in this tab's turn. When another tab's model is working, `onWait(true)` is called,
 * then `onWait(false)` once the turn has come, just before `work` starts.
 *
 * @throws EngineFailure `cancelled` when `signal` aborts the wait; whatever `work` throws.
 */
export async function inGpuTurn<T>(
  signal: AbortSignal,
  onWait: (waiting: boolean) => void,
  work: () => Promise<T>,
): Promise<Turn<T>> {
  if (!('locks' in navigator)) return { value: await work(), waitedMs: 0 };
  const free = await navigator.locks.request(GPU_TURN_LOCK, { ifAvailable: true }, async (lock) =>
    lock ? { value: await work(), waitedMs: 0 } : null,
  );
  if (free) return free;

  const askedAt = performance.now();
  const turn = { started: false };
  onWait(true);
  try {
    return await navigator.locks.request(GPU_TURN_LOCK, { signal }, async () => {
      turn.started = true;
      const waitedMs = performance.now() - askedAt;
      onWait(false);
      return { value: await work(), waitedMs };
    });
  } catch (cause) {
    // Only a wait that was given up is a cancel; `work`'s own failures pass as they are.
    if (!turn.started && signal.aborted) throw new EngineFailure({ kind: 'cancelled' });
    throw cause;
  }
}
