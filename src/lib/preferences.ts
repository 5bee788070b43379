import { createStore, get, set, type UseStore } from 'idb-keyval';
import type { BackendPreference } from '../shared/engine-protocol.ts';
import { createExternalStore, type ExternalStore } from './external-store.ts';

/**
 * The user's standing choices, persisted in this browser (one idb-keyval store for this
 * concern). Every path that loads a model reads the backend from here, never from the last load.
 */
export interface Preferences {
  backend: BackendPreference;
}

export const defaultPreferences: Preferences = { backend: 'auto' };

/** Where preferences are kept; tests pass one in memory. */
export interface PreferenceStorage {
  read: () => Promise<unknown>;
  write: (preferences: Preferences) => Promise<void>;
}

export function indexedDbPreferences(
  store: UseStore = createStore('tab-llm-preferences', 'preferences'),
): PreferenceStorage {
  return {
    read: () => get('preferences', store),
    write: (preferences) => set('preferences', { version: 1, ...preferences }, store),
  };
}

/** Normalises stored preferences; anything unknown or damaged falls back to the default. */
export function restorePreferences(raw: unknown): Preferences {
  const r = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  return { backend: r.backend === 'cpu' ? 'cpu' : defaultPreferences.backend };
}

export interface PreferenceStore extends ExternalStore<Preferences> {
  /** Reads what was stored; until then the defaults apply. */
  restore: () => Promise<void>;
  /** Applies at once and persists; a storage failure keeps the choice for this session. */
  update: (change: Partial<Preferences>) => Promise<void>;
}

export function createPreferenceStore(
  storage: PreferenceStorage = indexedDbPreferences(),
): PreferenceStore {
  const store = createExternalStore<Preferences>(defaultPreferences);
  return {
    ...store,
    async restore() {
      const stored = await storage.read().catch(() => null);
      store.set(restorePreferences(stored));
    },
    async update(change) {
      store.set((previous) => ({ ...previous, ...change }));
      await storage.write(store.get()).catch((cause: unknown) => {
        console.warn('could not store the preferences', cause);
      });
    },
  };
}

/** Preferences kept in memory only (tests, and hosts that must not write). */
export function memoryPreferences(initial: unknown = null): PreferenceStorage {
  let value = initial;
  return {
    read: () => Promise.resolve(value),
    write: (preferences) => {
      value = preferences;
      return Promise.resolve();
    },
  };
}
