import { createStore, get, set, type UseStore } from 'idb-keyval';
import { DEFAULT_CONTEXT_SIZE, restoreContextSize } from '../shared/context-size.ts';
import type { BackendPreference, ContextPolicy } from '../shared/engine-protocol.ts';
import { createExternalStore, type ExternalStore } from './external-store.ts';

/** `system` follows the operating system's `prefers-color-scheme`. */
export type ThemePreference = 'system' | 'light' | 'dark';

/** The model loaded last (not by the lab), by its `modelKey`, with the label to name it by. */
export interface LastModel {
  key: string;
  label: string;
}

/**
 * The user's standing choices, persisted in this browser (one idb-keyval store for this
 * concern). Every path that loads a model reads the backend from here, never from the last load.
 */
export interface Preferences {
  backend: BackendPreference;
  theme: ThemePreference;
  /** Load `lastModel` from storage when the app opens (never by downloading it). */
  autoLoadLast: boolean;
  lastModel: LastModel | null;
  /** The context window every load asks for (`context-size.ts`); the memory estimates follow it. */
  contextSize: number;
  /** What a chat does when its next turn would not fit the context. */
  contextPolicy: ContextPolicy;
  /** The system prompt a new chat starts with (each chat can change its own); '' for none. */
  defaultSystemPrompt: string;
  /**
   * Hash a stored model's bytes against the SHA-256 recorded at its download each time it is
   * opened (`LoadOptions.verifySha256`). Off by default: it takes seconds per gigabyte.
   */
  verifyStoredSha256: boolean;
}

export const defaultPreferences: Preferences = {
  backend: 'auto',
  theme: 'system',
  autoLoadLast: true,
  lastModel: null,
  contextSize: DEFAULT_CONTEXT_SIZE,
  contextPolicy: 'drop-oldest',
  defaultSystemPrompt: '',
  verifyStoredSha256: false,
};

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

/** A system prompt longer than this is cut when restored (no context holds more). */
export const MAX_SYSTEM_PROMPT = 100_000;

const themes: readonly ThemePreference[] = ['system', 'light', 'dark'];

function restoreLastModel(raw: unknown): LastModel | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { key, label } = raw as Record<string, unknown>;
  return typeof key === 'string' && key !== '' && typeof label === 'string' ? { key, label } : null;
}

/**
 * Normalises stored preferences field by field; anything unknown or damaged falls back to its
 * default. Records written before a field existed get its default (version 1 throughout: every
 * field added since is optional on read).
 */
export function restorePreferences(raw: unknown): Preferences {
  const r = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  return {
    backend: r.backend === 'cpu' ? 'cpu' : defaultPreferences.backend,
    theme: themes.find((theme) => theme === r.theme) ?? defaultPreferences.theme,
    autoLoadLast:
      typeof r.autoLoadLast === 'boolean' ? r.autoLoadLast : defaultPreferences.autoLoadLast,
    lastModel: restoreLastModel(r.lastModel),
    contextSize: restoreContextSize(r.contextSize),
    contextPolicy: r.contextPolicy === 'stop' ? 'stop' : defaultPreferences.contextPolicy,
    defaultSystemPrompt:
      typeof r.defaultSystemPrompt === 'string'
        ? r.defaultSystemPrompt.slice(0, MAX_SYSTEM_PROMPT)
        : defaultPreferences.defaultSystemPrompt,
    verifyStoredSha256: r.verifyStoredSha256 === true,
  };
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
