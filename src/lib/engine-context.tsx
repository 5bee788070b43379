import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { EngineSnapshot, EngineStore } from './engine-store.ts';
import { useExternalStore } from './external-store.ts';

const EngineContext = createContext<EngineStore | null>(null);

export function EngineProvider({ store, children }: { store: EngineStore; children: ReactNode }) {
  return <EngineContext.Provider value={store}>{children}</EngineContext.Provider>;
}

/** The engine store, for actions (load, generate…). */
export function useEngineStore(): EngineStore {
  const store = useContext(EngineContext);
  if (!store) throw new Error('useEngineStore needs an <EngineProvider> above it');
  return store;
}

/** The engine snapshot (state, device, stored models, runs), re-rendering when it changes. */
export function useEngine() {
  return useExternalStore(useEngineStore());
}

/**
 * One part of the engine snapshot, re-rendering only when that part changes. While an answer
 * streams, `runs` changes every frame; a component that reads only `state` or `device` should
 * not re-render with it (`npm run bench`, figure 4, measured the whole app re-rendering per frame).
 */
export function useEngineValue<T>(select: (snapshot: EngineSnapshot) => T): T {
  const store = useEngineStore();
  const read = () => select(store.get());
  return useSyncExternalStore(store.subscribe, read, read);
}
