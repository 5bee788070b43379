import { describe, expect, it, vi } from 'vitest';
import type { EngineClient } from './engine-client.ts';
import type { DeviceReport, LoadedModel, Outcome } from '../shared/engine-protocol.ts';
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
    networkLog: async () => [],
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
  const store = createEngineStore(client, { adapterRecheckMs: [] });
  return { store, seen, client };
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

  it('deletes stored models one by one and stops at the first refusal', async () => {
    const { store, client } = scriptedClient([]);
    const refusal = { kind: 'model-in-use', label: 'b' } as const;
    const deleted: string[] = [];
    client.deleteStored = async (spec) => {
      deleted.push(spec.engine === 'gguf' ? spec.label : spec.modelId);
      return deleted.length === 2 ? { ok: false, error: refusal } : { ok: true, value: null };
    };
    const specs = ['a', 'b', 'c'].map((id) => model(id).spec);
    expect(await store.deleteStored(specs)).toEqual({ ok: false, error: refusal });
    expect(deleted).toEqual(['a', 'b']);
  });

  it('imports a local file, then loads the spec the worker returns', async () => {
    const { store, client } = scriptedClient([{ ok: true, value: model('local') }]);
    const loaded: string[] = [];
    client.importLocal = async (_file, { onEvent }) => {
      onEvent({ type: 'download', loadedBytes: 5, totalBytes: 10, at: 1, inOtherTab: false });
      return { ok: true, value: model('local').spec };
    };
    const load = client.load;
    client.load = (spec, options, handlers) => {
      loaded.push(spec.engine === 'gguf' ? spec.url : spec.modelId);
      return load(spec, options, handlers);
    };
    await store.start();
    await store.loadLocalFile(new File([new Uint8Array(10)], 'local.gguf'));
    expect(loaded).toEqual(['https://h/local.gguf']);
    expect(store.get().state).toEqual({ status: 'ready', model: model('local') });
  });

  it('explains a browser that cannot run any model', () => {
    expect(unsupportedReason(device)).toBeNull();
    expect(unsupportedReason({ ...device, wasm: { ...device.wasm, simd: false } })).toBe(
      'This browser lacks WebAssembly SIMD.',
    );
  });

  it('asks again for a WebGPU adapter after none came, and shows the one that comes', async () => {
    const { client } = scriptedClient([]);
    const adapter: DeviceReport['gpu'] = {
      status: 'available',
      vendor: 'v',
      architecture: 'a',
      device: 'd',
      description: 'GPU',
      shaderF16: true,
      maxBufferSize: 1,
      maxStorageBufferBindingSize: 1,
      isFallbackAdapter: false,
    };
    const answers = [device, device, { ...device, gpu: adapter }];
    const asked: (boolean | undefined)[] = [];
    client.probe = async (again) => {
      asked.push(again);
      return answers.shift() ?? device;
    };
    const store = createEngineStore(client, { adapterRecheckMs: [0, 0, 0, 0] });
    await store.start();
    expect(store.get().device?.gpu.status).toBe('no-adapter');
    await vi.waitFor(() => expect(store.get().device?.gpu).toEqual(adapter));
    expect(asked).toEqual([undefined, true, true]); // and no more once it came
    expect(store.get().state).toEqual({ status: 'idle' });
  });

  it('stops asking for an adapter after its rechecks', async () => {
    const { client } = scriptedClient([]);
    let asked = 0;
    client.probe = async () => {
      asked++;
      return device;
    };
    const store = createEngineStore(client, { adapterRecheckMs: [0, 0] });
    await store.start();
    await vi.waitFor(() => expect(asked).toBe(3));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(asked).toBe(3);
    expect(store.get().device?.gpu.status).toBe('no-adapter');
  });
});
