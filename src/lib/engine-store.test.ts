import { describe, expect, it } from 'vitest';
import type { EngineClient } from './engine-client.ts';
import type { DeviceReport, LoadedModel, Outcome } from './engine-protocol.ts';
import { createEngineStore, unsupportedReason, type EngineState } from './engine-store.ts';

const device: DeviceReport = {
  gpu: { status: 'no-adapter' },
  wasm: { simd: true, exceptions: true, jspi: true, memory64: true },
  logicalCores: 4,
  deviceMemoryGiB: 8,
};
const model = (label: string): LoadedModel => ({
  spec: { engine: 'gguf', url: `https://h/${label}.gguf`, label },
  name: label,
  backend: { kind: 'cpu', threads: 1 },
  contextSize: 512,
  hasChatTemplate: true,
  fromStorage: false,
  sizeBytes: 1,
});

/** A client whose worker is scripted: `loads` answer `load()` in order. */
function scriptedClient(loads: Outcome<LoadedModel>[]) {
  let current: LoadedModel | null = null;
  const seen: EngineState[] = [];
  const client: EngineClient = {
    probe: async () => device,
    listStored: async () => [],
    deleteStored: async () => ({ ok: true, value: null }),
    importLocal: async () => ({ ok: false, error: { kind: 'cancelled' } }),
    current: async () => current,
    load: async (_spec, _options, { onEvent }) => {
      onEvent({ type: 'download', loadedBytes: 10, totalBytes: 100, at: 1000, inOtherTab: false });
      seen.push(store.get().state);
      onEvent({ type: 'download', loadedBytes: 60, totalBytes: 100, at: 2000, inOtherTab: false });
      onEvent({ type: 'stage', stage: 'initializing' });
      seen.push(store.get().state);
      const outcome = loads.shift() ?? {
        ok: false,
        error: { kind: 'internal', detail: 'no script' },
      };
      if (outcome.ok) current = outcome.value;
      return outcome;
    },
    generate: async () => ({ ok: false, error: { kind: 'no-model-loaded' } }),
  };
  const store = createEngineStore(client);
  return { store, seen };
}

describe('engine store', () => {
  it('goes starting → idle → downloading → loading → ready', async () => {
    const { store, seen } = scriptedClient([{ ok: true, value: model('a') }]);
    expect(store.get().state).toEqual({ status: 'starting' });
    await store.start();
    expect(store.get().state).toEqual({ status: 'idle' });
    expect(store.get().device).toEqual(device);

    await store.load(model('a').spec, { backend: 'auto' });
    expect(seen[0]).toMatchObject({ status: 'downloading', download: { loadedBytes: 10 } });
    expect(seen[1]).toMatchObject({ status: 'loading', stage: 'initializing' });
    expect(store.get().state).toEqual({ status: 'ready', model: model('a') });
  });

  it('keeps the previous model usable after a failed load', async () => {
    const error = { kind: 'not-gguf', source: 'x' } as const;
    const { store } = scriptedClient([
      { ok: true, value: model('a') },
      { ok: false, error },
    ]);
    await store.start();
    await store.load(model('a').spec, { backend: 'auto' });
    await store.load(model('b').spec, { backend: 'auto' });
    expect(store.get().state).toEqual({
      status: 'error',
      error,
      model: model('a'),
      spec: model('b').spec, // what Resume or Download again loads
    });

    store.dismissError();
    expect(store.get().state).toEqual({ status: 'ready', model: model('a') });
  });

  it('returns to idle after a cancelled first load', async () => {
    const { store } = scriptedClient([{ ok: false, error: { kind: 'cancelled' } }]);
    await store.start();
    await store.load(model('a').spec, { backend: 'auto' });
    expect(store.get().state).toEqual({ status: 'idle' });
  });

  it('explains a browser that cannot run any model', () => {
    expect(unsupportedReason(device)).toBeNull();
    expect(unsupportedReason({ ...device, wasm: { ...device.wasm, simd: false } })).toBe(
      'This browser lacks WebAssembly SIMD.',
    );
  });
});
