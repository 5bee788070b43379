import { createContext, useContext, type ReactNode } from 'react';
import type { EngineStore } from './engine-store.ts';
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
