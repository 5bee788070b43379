import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { EngineServices } from './engine-bootstrap.ts';
import type { EngineSnapshot, EngineStore } from './engine-store.ts';
import { useStoreValue } from './external-store.ts';
import type { Preferences, PreferenceStore } from './preferences.ts';
import type { ResumeOutcome } from './resume-last-model.ts';
import type { RunRecord } from './run-log.ts';

const EngineContext = createContext<EngineServices | null>(null);

export function EngineProvider({
  services,
  children,
}: {
  services: EngineServices;
  children: ReactNode;
}) {
  return <EngineContext.Provider value={services}>{children}</EngineContext.Provider>;
}

function useServices(): EngineServices {
  const services = useContext(EngineContext);
  if (!services) throw new Error('engine hooks need an <EngineProvider> above them');
  return services;
}

/** The engine store, for actions (load, generate…). */
export function useEngineStore(): EngineStore {
  return useServices().engine;
}

/**
 * One part of the engine snapshot, re-rendering only when that part changes: download progress
 * changes the state many times a second, and a component that reads only the device should not
 * re-render with it.
 */
export function useEngineValue<T>(select: (snapshot: EngineSnapshot) => T): T {
  return useStoreValue(useServices().engine, select);
}

/** One part of the run log (which changes every frame while an answer streams). */
export function useRuns<T>(select: (runs: readonly RunRecord[]) => T): T {
  return useStoreValue(useServices().runs, select);
}

export function usePreferenceStore(): PreferenceStore {
  return useServices().preferences;
}

export function usePreference<K extends keyof Preferences>(key: K): Preferences[K] {
  return useStoreValue(useServices().preferences, (preferences) => preferences[key]);
}

/**
 * How the start ended (see `EngineServices.started`): null until the engine has started and the
 * last model has been reopened, or found missing.
 */
export function useStartOutcome(): ResumeOutcome | null {
  const { started } = useServices();
  const [outcome, setOutcome] = useState<ResumeOutcome | null>(null);
  useEffect(() => {
    let current = true;
    void started.then((value) => {
      if (current) setOutcome(value);
    });
    return () => {
      current = false;
    };
  }, [started]);
  return outcome;
}
