import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { createStore, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { createGrantStore } from './embed-grants.ts';
import {
  createPreferenceStore,
  defaultPreferences,
  indexedDbPreferences,
  type Preferences,
} from './preferences.ts';

/**
 * Every shape of the main thread's own records the app ever wrote (`__fixtures__`, each as the
 * commit named wrote it) opens through the store's real read path.
 */
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(
    readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;

let n = 0;
const newStore = (name: string) => createStore(`records-${name}-${++n}`, name);

async function restoredPreferences(raw: unknown): Promise<Preferences> {
  const store = newStore('preferences');
  await set('preferences', raw, store);
  const preferences = createPreferenceStore(indexedDbPreferences(store));
  await preferences.restore();
  return preferences.get();
}

const lastQwen = { key: 'mlc:Qwen3-0.6B-q4f16_1-MLC', label: 'Qwen3-0.6B-q4f16_1-MLC' };
const lastStories = {
  key: 'gguf:https://huggingface.co/fake/tiny/resolve/main/stories260K-chat-q8_0.gguf',
  label: 'stories260K-chat-q8_0',
};

// Version 1 throughout; fields were added, each read with its default where absent.
const preferenceVersions: [name: string, writtenBy: string, expected: Partial<Preferences>][] = [
  ['preferences-v1-backend', 'a6260a5: the backend only', { backend: 'cpu' }],
  [
    'preferences-v1-theme',
    '9bbf19f: + theme, auto-load and the last model',
    { theme: 'dark', autoLoadLast: false, lastModel: lastQwen },
  ],
  [
    'preferences-v1-context',
    'e699a8d (now): + context size and policy, default system prompt',
    {
      backend: 'cpu',
      theme: 'light',
      lastModel: lastStories,
      contextSize: 8192,
      contextPolicy: 'stop',
      defaultSystemPrompt: 'Be brief.',
    },
  ],
];

describe('stored preferences of every version', () => {
  it.each(preferenceVersions)('%s (written by %s) opens', async (name, _, expected) => {
    expect(await restoredPreferences(fixture(name))).toEqual({
      ...defaultPreferences,
      ...expected,
    });
  });

  it('falls back field by field on a damaged record', async () => {
    const damaged = { ...fixture('preferences-v1-context'), theme: 7, contextSize: 1000 };
    expect(await restoredPreferences(damaged)).toMatchObject({
      backend: 'cpu',
      theme: defaultPreferences.theme,
      contextSize: defaultPreferences.contextSize,
      defaultSystemPrompt: 'Be brief.',
    });
    expect(await restoredPreferences('not a record')).toEqual(defaultPreferences);
  });
});

describe('stored embed grants', () => {
  it('embed-grant-v1 (written by 732050e, now) opens; a damaged one is dropped', async () => {
    const grant = fixture('embed-grant-v1');
    const store = newStore('grants');
    await set(grant.origin as string, grant, store);
    await set(
      'https://other.example',
      { ...grant, origin: 'https://other.example', at: 'x' },
      store,
    );
    await set('https://third.example', grant, store); // filed under another site's key
    const grants = createGrantStore(store);
    expect(await grants.list()).toEqual([grant]);
    expect(await grants.get('https://blog.example')).toEqual(grant);
  });
});
