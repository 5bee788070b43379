import { useSyncExternalStore } from 'react';

/**
 * A value outside React that components subscribe to. `set` tells listeners at once, so a
 * form input bound to the store shows a click in the same frame. `setBatched` is for streams
 * (tokens, download progress): it tells listeners at most once per animation frame, so a stream
 * costs one render per frame, not one per event.
 */
export interface ExternalStore<T> {
  get: () => T;
  set: (update: T | ((previous: T) => T)) => void;
  setBatched: (update: T | ((previous: T) => T)) => void;
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
  const apply = (update: T | ((previous: T) => T)) => {
    value = typeof update === 'function' ? (update as (previous: T) => T)(value) : update;
  };

  return {
    get: () => value,
    set(update) {
      apply(update);
      notify();
    },
    setBatched(update) {
      apply(update);
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

/** One part of a store's value, re-rendering only when that part changes. */
export function useStoreValue<T, S>(store: ExternalStore<T>, select: (value: T) => S): S {
  const read = () => select(store.get());
  return useSyncExternalStore(store.subscribe, read, read);
}
