import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useEngineStore } from '../../lib/engine-context.tsx';
import { useStoreValue } from '../../lib/external-store.ts';
import { openLabArchive } from './lab-archive.ts';
import { createLabStore, type LabState, type LabStore } from './lab-store.ts';

const LabContext = createContext<LabStore | null>(null);

/**
 * One comparison store for the page: above the views, so that a run goes on (and its progress
 * is kept) while the user reads a chat.
 */
export function LabProvider({ appVersion, children }: { appVersion: string; children: ReactNode }) {
  const engine = useEngineStore();
  const [lab] = useState(() => createLabStore({ engine, archive: openLabArchive(), appVersion }));
  useEffect(() => void lab.refreshSaved(), [lab]);
  return <LabContext.Provider value={lab}>{children}</LabContext.Provider>;
}

export function useLabStore(): LabStore {
  const store = useContext(LabContext);
  if (!store) throw new Error('useLabStore needs a <LabProvider> above it');
  return store;
}

/** One part of the lab's state, re-rendering only when that part changes. */
export function useLab<T>(select: (state: LabState) => T): T {
  return useStoreValue(useLabStore(), select);
}
