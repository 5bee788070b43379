/**
 * Time limits for the benchmark: a figure, or one wait inside it, that runs over its limit must end
 * the bench's wait with a reason instead of hanging the whole run.
 */

export class TimeLimitError extends Error {
  constructor(what: string, limitMs: number) {
    super(`${what}: no result within ${formatLimit(limitMs)}`);
    this.name = 'TimeLimitError';
  }
}

const formatLimit = (ms: number) =>
  ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`;

export interface TimeLimitOptions {
  /** An outer limit (the figure's): when it fires first, this wait ends with its reason. */
  parent?: AbortSignal;
  /**
   * After the limit fires, how long to wait for `work` to settle (its `finally` blocks closing
   * browsers and pages) before rejecting, so that the next figure does not start beside it.
   */
  graceMs?: number;
}

/**
 * Runs `work` with a signal that aborts after `limitMs` (or when `parent` aborts) and settles as
 * `work` does, or rejects at the limit. `work` should stop on the signal; a `work` that ignores it
 * is left behind (its later result or error is dropped), never waited for longer than `graceMs`.
 *
 * @throws TimeLimitError when `limitMs` passes first; the parent's reason when it aborts first.
 */
export async function withTimeLimit<T>(
  what: string,
  limitMs: number,
  work: (signal: AbortSignal) => Promise<T>,
  { parent, graceMs = 0 }: TimeLimitOptions = {},
): Promise<T> {
  const controller = new AbortController();
  const abort = (reason: unknown) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const timer = setTimeout(() => abort(new TimeLimitError(what, limitMs)), limitMs);
  const onParentAbort = () => abort(parent?.reason);
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });

  const running = Promise.resolve().then(() => work(controller.signal));
  /** Settles with the abort's reason: after the grace, or once `work` has settled within it. */
  const aborted = new Promise<never>((_, reject) => {
    const onAbort = () => {
      const reason: unknown = controller.signal.reason;
      const fail = () => reject(reason instanceof Error ? reason : new Error(String(reason)));
      if (graceMs <= 0) return fail();
      const grace = setTimeout(fail, graceMs);
      void running
        .catch(() => undefined)
        .finally(() => {
          clearTimeout(grace);
          fail();
        });
    };
    if (controller.signal.aborted) onAbort();
    else controller.signal.addEventListener('abort', onAbort, { once: true });
  });
  // Once aborted, what `work` does (typically failing because its browser was closed) is not the
  // reason: the limit is.
  const settled = running.then(
    (value) => (controller.signal.aborted ? aborted : value),
    (error: unknown) => {
      if (controller.signal.aborted) return aborted;
      throw error;
    },
  );
  try {
    return await Promise.race([settled, aborted]);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  }
}
