import { useSyncExternalStore } from 'react';

/**
 * A value outside React that components subscribe to. Updates apply at once; listeners are told
 * at most once per animation frame, so a stream of tokens costs one render per frame, not one
 * per token.
 */
export interface ExternalStore<T> {
  get: () => T;
  set: (update: T | ((previous: T) => T)) => void;
  subscribe: (listener: () => void) => () => void;
}

export function createExternalStore<T>(initial: T): ExternalStore<T> {
  let value = initial;
  let scheduled = false;
  const listeners = new Set<() => void>();

  const notify = () => {
    scheduled = false;
    for (const listener of listeners) listener();
  };

  return {
    get: () => value,
    set(update) {
      value = typeof update === 'function' ? (update as (previous: T) => T)(value) : update;
      if (scheduled) return;
      scheduled = true;
      // Background tabs get no animation frames; a timer keeps them current.
      if (typeof document !== 'undefined' && document.visibilityState === 'visible') {
        requestAnimationFrame(notify);
      } else {
        setTimeout(notify, 0);
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function useExternalStore<T>(store: ExternalStore<T>): T {
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}
