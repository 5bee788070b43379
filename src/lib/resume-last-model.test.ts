import { describe, expect, it } from 'vitest';
import type { ModelSpec, StoredModel } from '../shared/engine-protocol.ts';
import { modelKey } from '../shared/model-keys.ts';
import { inThread } from './engine-client.ts';
import { startEngine } from './engine-bootstrap.ts';
import { createPreferenceStore, memoryPreferences } from './preferences.ts';
import { createFakeEngineApi, type FakeEngineScript } from './testing/fake-engine-api.ts';

const spec: ModelSpec = { engine: 'gguf', url: 'https://h/last.gguf', label: 'last' };
const stored = (status: StoredModel['status']): StoredModel => ({
  spec,
  status,
  sizeBytes: 1000,
  storedBytes: 1000,
  quantization: 'Q4_0',
  storedAt: 1,
  lastUsedAt: 2,
});
const last = { key: modelKey(spec), label: 'last' };

/** A page start over the fake engine, with these stored preferences and models. */
async function startWith(preferences: unknown, script: FakeEngineScript) {
  const api = createFakeEngineApi(script);
  const services = startEngine(
    inThread(api),
    createPreferenceStore(memoryPreferences(preferences)),
  );
  return { api, services, outcome: await services.started };
}

describe('reopening the last model when the app starts', () => {
  it('loads the last model from storage', async () => {
    const { api, services, outcome } = await startWith(
      { lastModel: last },
      { stored: [stored('complete')] },
    );
    expect(outcome).toBe('loaded');
    expect(api.calls.filter((c) => c.method === 'load').map((c) => c.spec)).toEqual([spec]);
    expect(services.engine.get().state).toMatchObject({
      status: 'ready',
      model: { fromStorage: true },
    });
  });

  it('downloads nothing when the last model is no longer stored complete', async () => {
    for (const script of [{ stored: [] }, { stored: [stored('partial')] }]) {
      const { api, services, outcome } = await startWith({ lastModel: last }, script);
      expect(outcome).toBe('missing');
      expect(api.calls.some((c) => c.method === 'load')).toBe(false);
      expect(services.engine.get().state).toEqual({ status: 'idle' });
    }
  });

  it('does nothing when the setting is off', async () => {
    const { api, outcome } = await startWith(
      { lastModel: last, autoLoadLast: false },
      { stored: [stored('complete')] },
    );
    expect(outcome).toBe('off');
    expect(api.calls.some((c) => c.method === 'load')).toBe(false);
  });

  it('remembers a model loaded by the user, not one loaded while the lab holds the engine', async () => {
    const { services } = await startWith(null, {});
    expect(services.preferences.get().lastModel).toBeNull();
    await services.engine.load(spec);
    expect(services.preferences.get().lastModel).toEqual(last);

    const session = services.engine.hold('Compare');
    const variant: ModelSpec = { engine: 'gguf', url: 'https://h/variant.gguf', label: 'v' };
    await session?.load(variant, 'cpu');
    session?.release();
    expect(services.preferences.get().lastModel).toEqual(last);
  });
});
