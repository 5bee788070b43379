/**
 * For tests: the part of the Web Locks API the download lock uses (exclusive locks,
 * `ifAvailable`, `signal`), in memory. `holdAsOtherTab` takes a lock as another tab would.
 */
export class FakeLockManager {
  private readonly held = new Map<string, Promise<void>>();

  async request<T>(
    name: string,
    options: { ifAvailable?: boolean; signal?: AbortSignal },
    callback: (lock: { name: string } | null) => Promise<T>,
  ): Promise<T> {
    if (options.ifAvailable && this.held.has(name)) return callback(null);
    for (let held = this.held.get(name); held; held = this.held.get(name)) {
      await Promise.race([held, abortOf(options.signal)]);
    }
    const release = this.take(name);
    try {
      return await callback({ name });
    } finally {
      release();
    }
  }

  /** Holds `name` until the returned function is called. */
  holdAsOtherTab(name: string): () => void {
    if (this.held.has(name)) throw new Error(`${name} is held already`);
    return this.take(name);
  }

  private take(name: string): () => void {
    let release: () => void = () => undefined;
    this.held.set(
      name,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    return () => {
      this.held.delete(name);
      release();
    };
  }
}

/** Rejects with an AbortError once `signal` aborts, as `navigator.locks.request` does. */
function abortOf(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    const abort = () => reject(new DOMException('The lock request was aborted.', 'AbortError'));
    if (signal?.aborted) abort();
    signal?.addEventListener('abort', abort, { once: true });
  });
}
