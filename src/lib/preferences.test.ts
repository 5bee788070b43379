import { describe, expect, it } from 'vitest';
import {
  createPreferenceStore,
  defaultPreferences,
  memoryPreferences,
  restorePreferences,
} from './preferences.ts';

describe('preferences', () => {
  it('restores every field that was stored', () => {
    const stored = {
      version: 1,
      backend: 'cpu',
      theme: 'dark',
      autoLoadLast: false,
      lastModel: { key: 'gguf:https://h/m.gguf', label: 'm' },
      contextSize: 512,
      contextPolicy: 'stop',
      defaultSystemPrompt: 'Be brief.',
      verifyStoredSha256: true,
    };
    expect(restorePreferences(stored)).toEqual({
      backend: 'cpu',
      theme: 'dark',
      autoLoadLast: false,
      lastModel: { key: 'gguf:https://h/m.gguf', label: 'm' },
      contextSize: 512,
      contextPolicy: 'stop',
      defaultSystemPrompt: 'Be brief.',
      verifyStoredSha256: true,
    });
  });

  it('gives a record from before a field existed that field’s default', () => {
    expect(restorePreferences({ version: 1, backend: 'cpu' })).toEqual({
      ...defaultPreferences,
      backend: 'cpu',
    });
    expect(defaultPreferences.autoLoadLast).toBe(true);
  });

  it('replaces damaged fields with their defaults, one by one', () => {
    expect(
      restorePreferences({
        backend: 'gpu',
        theme: 'purple',
        autoLoadLast: 'yes',
        lastModel: { key: 42, label: 'm' },
        contextSize: 1000,
        contextPolicy: 'panic',
        defaultSystemPrompt: 7,
      }),
    ).toEqual(defaultPreferences);
    expect(restorePreferences('garbage')).toEqual(defaultPreferences);
    expect(restorePreferences({ lastModel: { key: '', label: 'm' } }).lastModel).toBeNull();
  });

  it('persists an update and reads it back in a new session', async () => {
    const storage = memoryPreferences();
    const first = createPreferenceStore(storage);
    await first.restore();
    await first.update({ theme: 'light', lastModel: { key: 'mlc:x', label: 'x' } });
    const second = createPreferenceStore(storage);
    await second.restore();
    expect(second.get()).toMatchObject({ theme: 'light', lastModel: { key: 'mlc:x' } });
  });
});
