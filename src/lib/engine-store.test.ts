import { describe, expect, it, vi } from 'vitest';
import { createEngineClient, inThread } from './engine-client.ts';
import type { EngineState } from './engine-lifecycle.ts';
import { createEngineStore, unsupportedReason } from './engine-store.ts';
import { createPreferenceStore, memoryPreferences, type PreferenceStorage } from './preferences.ts';
import { createRunLog } from './run-log.ts';
import {
  createFakeEngineApi,
  fakeDevice,
  type FakeEngineScript,
} from './testing/fake-engine-api.ts';
import type { DeviceReport, ModelSpec } from '../shared/engine-protocol.ts';

const noAdapter: DeviceReport = { ...fakeDevice, gpu: { status: 'no-adapter' } };
const spec = (label: string): ModelSpec => ({
  engine: 'gguf',
  url: `https://h/${label}.gguf`,
  label,
});

/** The real store and client over the fake engine API, with preferences in memory. */
function engineOver(
  script: FakeEngineScript = {},
  storage: PreferenceStorage = memoryPreferences(),
) {
  const api = createFakeEngineApi({ device: noAdapter, ...script });
  const preferences = createPreferenceStore(storage);
  const runs = createRunLog();
  const store = createEngineStore(createEngineClient(inThread(api)), {
    runs,
    preferences,
    adapterRecheckMs: [],
  });
  const seen: EngineState[] = [];
  store.subscribe(() => seen.push(store.get().state));
  return { api, store, runs, preferences, seen };
}

describe('engine store', () => {
  it('goes starting → idle → downloading → loading → ready', async () => {
    let release = () => {};
    const { store, seen } = engineOver({ holdLoad: new Promise((r) => (release = r)) });
    expect(store.get().state).toEqual({ status: 'starting' });
    await store.start();
    expect(store.get().state).toEqual({ status: 'idle' });
    expect(store.get().device).toEqual(noAdapter);

    const loading = store.load(spec('a'));
    await vi.waitFor(() =>
      expect(store.get().state).toMatchObject({
        status: 'downloading',
        download: { loadedBytes: 500, totalBytes: 1000 },
      }),
    );
    release();
    const outcome = await loading;
    expect(outcome.ok).toBe(true);
    const statuses = seen.map((s) => s.status);
    expect(statuses).toEqual(expect.arrayContaining(['downloading', 'loading', 'ready']));
    expect(store.get().state).toMatchObject({ status: 'ready', model: { name: 'a' } });
  });

  it('keeps the previous model usable after a failed load, without asking the worker', async () => {
    const error = { kind: 'not-gguf', source: 'x' } as const;
    const { store, api } = engineOver({
      loadError: (s) => (s.engine === 'gguf' && s.label === 'b' ? error : null),
    });
    await store.start();
    await store.load(spec('a'));
    const a = api.loaded();
    const outcome = await store.load(spec('b'));
    expect(outcome).toEqual({ ok: false, error, loaded: a });
    expect(store.get().state).toEqual({
      status: 'error',
      error,
      model: a,
      spec: spec('b'), // what Resume or Download again loads
      attempt: 1,
    });

    store.dismissError();
    expect(store.get().state).toEqual({ status: 'ready', model: a });
  });

  it('returns to idle after a cancelled first load', async () => {
    const { store } = engineOver();
    await store.start();
    const pending = store.load(spec('a'));
    store.cancelLoad();
    expect(await pending).toMatchObject({ ok: false, error: { kind: 'cancelled' } });
    expect(store.get().state).toEqual({ status: 'idle' });
  });

  it('refuses a second load while one is under way, with a reason', async () => {
    const { store, api } = engineOver();
    await store.start();
    const first = store.load(spec('a'));
    expect(await store.load(spec('b'))).toEqual({
      ok: false,
      error: { kind: 'busy', operation: 'load' },
      loaded: null,
    });
    await first;
    expect(api.calls.filter((c) => c.method === 'load')).toHaveLength(1);
  });

  it('loads with the persisted backend, from whichever view asks (library, picker, Resume)', async () => {
    const storage = memoryPreferences();
    const first = engineOver({}, storage);
    await first.preferences.restore();
    await first.store.start();
    await first.preferences.update({ backend: 'cpu' }); // the picker's choice, no load yet
    await first.store.load(spec('a')); // the library's Load button passes no options
    expect(first.api.calls.find((c) => c.method === 'load')?.backend).toBe('cpu');

    // After a reload the choice is still there.
    const second = engineOver({}, storage);
    await second.preferences.restore();
    await second.store.start();
    await second.store.load(spec('a'));
    expect(second.api.calls.find((c) => c.method === 'load')?.backend).toBe('cpu');
  });

  it('deletes stored models one by one and stops at the first refusal', async () => {
    const refusal = { kind: 'model-in-use', label: 'b' } as const;
    const { store, api } = engineOver({
      deleteError: (s) => (s.engine === 'gguf' && s.label === 'b' ? refusal : null),
    });
    const specs = ['a', 'b', 'c'].map(spec);
    expect(await store.deleteStored(specs)).toEqual({ ok: false, error: refusal });
    expect(api.calls.filter((c) => c.method === 'deleteStored').map((c) => c.spec)).toEqual([
      spec('a'),
      spec('b'),
    ]);
  });

  it('imports a local file, then loads the spec the worker returns', async () => {
    const { store, api } = engineOver();
    await store.start();
    await store.loadLocalFile(new File([new Uint8Array(10)], 'local.gguf'));
    expect(api.calls.filter((c) => c.method === 'load').map((c) => c.spec)).toEqual([
      { engine: 'gguf', url: 'local:local.gguf', label: 'local.gguf' },
    ]);
    expect(store.get().state).toMatchObject({ status: 'ready', model: { name: 'local.gguf' } });
  });

  it('records a run in the run log, not in the lifecycle snapshot', async () => {
    const { store, runs } = engineOver({ answer: () => ['Hel', 'lo'] });
    await store.start();
    await store.load(spec('a'));
    const sentAt = performance.now() - 50; // the user pressed Send 50 ms ago
    const pieces: string[] = [];
    const outcome = await store.generate(
      { mode: 'complete', prompt: 'x', sampling: { temperature: 0, maxTokens: 2 } },
      (text) => pieces.push(text),
      sentAt,
    );
    expect(pieces).toEqual(['Hel', 'lo']);
    expect(outcome).toMatchObject({ ok: true, value: { text: 'Hello', finishReason: 'stop' } });
    const [run] = runs.get();
    expect(run).toMatchObject({ sentAt, tokensReceived: 2, outcome: 'stop' });
    expect(store.get().state).toMatchObject({ status: 'ready' });
  });

  it('after a lost GPU device names the model, so that it can be loaded again', async () => {
    const lost = { kind: 'gpu-device-lost', detail: 'lost' } as const;
    const { store } = engineOver({ generateError: lost });
    await store.start();
    await store.load(spec('a'));
    const outcome = await store.generate(
      { mode: 'complete', prompt: 'x', sampling: { temperature: 0, maxTokens: 2 } },
      () => undefined,
    );
    expect(outcome).toEqual({ ok: false, error: lost, loaded: null });
    expect(store.get().state).toEqual({
      status: 'error',
      error: lost,
      model: null,
      spec: spec('a'),
      attempt: 1,
    });
  });

  it('counts the failed loads of one model in a row, so that a retry shows it ran', async () => {
    const cut = {
      kind: 'download-incomplete',
      url: 'https://h/b.gguf',
      expectedBytes: 1000,
      receivedBytes: 10,
      storedBytes: 0,
    } as const;
    let failing = new Set(['b', 'c']);
    const { store } = engineOver({
      loadError: (s) => (s.engine === 'gguf' && failing.has(s.label) ? cut : null),
    });
    await store.start();
    const attempt = () => {
      const { state } = store.get();
      return state.status === 'error' ? state.attempt : null;
    };
    const attempts: (number | null)[] = [];
    for (const label of ['b', 'b', 'b', 'c', 'b']) {
      await store.load(spec(label));
      attempts.push(attempt());
    }
    // Another model starts its own count, and so does b when it comes back to it.
    expect(attempts).toEqual([1, 2, 3, 1, 1]);

    // A dismissed alert is no success: the next failure of b is its second in a row.
    store.dismissError();
    await store.load(spec('b'));
    expect(attempt()).toBe(2);

    // A success ends the run of failures.
    failing = new Set(['c']);
    await store.load(spec('b'));
    failing = new Set(['b']);
    await store.load(spec('b'));
    expect(attempt()).toBe(1);
  });

  it('explains a browser that cannot run any model', () => {
    expect(unsupportedReason(fakeDevice)).toBeNull();
    expect(unsupportedReason({ ...fakeDevice, wasm: { ...fakeDevice.wasm, simd: false } })).toBe(
      'This browser lacks WebAssembly SIMD.',
    );
  });

  it('asks again for a WebGPU adapter after none came, and shows the one that comes', async () => {
    const answers = [noAdapter, noAdapter, fakeDevice];
    const asked: boolean[] = [];
    const api = createFakeEngineApi({
      device: (again) => {
        asked.push(again);
        return answers.shift() ?? noAdapter;
      },
    });
    const store = createEngineStore(createEngineClient(inThread(api)), {
      runs: createRunLog(),
      preferences: createPreferenceStore(memoryPreferences()),
      adapterRecheckMs: [0, 0, 0, 0],
    });
    await store.start();
    expect(store.get().device?.gpu.status).toBe('no-adapter');
    await vi.waitFor(() => expect(store.get().device?.gpu).toEqual(fakeDevice.gpu));
    expect(asked).toEqual([false, true, true]); // and no more once it came
    expect(store.get().state).toEqual({ status: 'idle' });
  });

  it('stops asking for an adapter after its rechecks', async () => {
    let asked = 0;
    const api = createFakeEngineApi({
      device: () => {
        asked++;
        return noAdapter;
      },
    });
    const store = createEngineStore(createEngineClient(inThread(api)), {
      runs: createRunLog(),
      preferences: createPreferenceStore(memoryPreferences()),
      adapterRecheckMs: [0, 0],
    });
    await store.start();
    await vi.waitFor(() => expect(asked).toBe(3));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(asked).toBe(3);
    expect(store.get().device?.gpu.status).toBe('no-adapter');
  });
});

describe('engine store after the engine drops its model by itself', () => {
  const lost = { kind: 'gpu-device-lost', detail: 'GPU process crashed' } as const;

  it('says so between answers, and learns of the adapter when the GPU is back', async () => {
    // Available at the start, gone after the crash, back on the second recheck.
    const answers = [fakeDevice, noAdapter, noAdapter, fakeDevice];
    const api = createFakeEngineApi({ device: () => answers.shift() ?? noAdapter });
    const store = createEngineStore(createEngineClient(inThread(api)), {
      runs: createRunLog(),
      preferences: createPreferenceStore(memoryPreferences()),
      adapterRecheckMs: [0, 0, 0],
    });
    await store.start();
    await store.load(spec('a'));
    api.loseModel(lost);

    await vi.waitFor(() =>
      expect(store.get().state).toEqual({
        status: 'error',
        error: lost,
        model: null,
        spec: spec('a'),
        attempt: 1,
      }),
    );
    await vi.waitFor(() => expect(store.get().device?.gpu).toEqual(fakeDevice.gpu));
    expect(answers).toEqual([]);
    // One click (the alert's) loads it again.
    expect((await store.load(spec('a'))).ok).toBe(true);
  });

  it('leaves a loss during an answer to the answer, and ignores a model no longer loaded', async () => {
    const { store, api } = engineOver({ tokenDelayMs: 5, answer: () => ['a ', 'b ', 'c '] });
    await store.start();
    await store.load(spec('a'));
    const answer = store.generate(
      { mode: 'complete', prompt: 'x', sampling: { temperature: 0, maxTokens: 3 } },
      () => undefined,
    );
    api.loseModel(lost);
    expect(store.get().state.status).toBe('generating');
    await answer;
    await store.load(spec('b'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(store.get().state).toMatchObject({ status: 'ready', model: { name: 'b' } });
  });
});

describe('engine store held by one owner', () => {
  it('refuses loads, answers and deletions to everyone else until released', async () => {
    const { store } = engineOver();
    await store.start();
    await store.load(spec('a'));
    const session = store.hold('Compare');
    expect(session).not.toBeNull();
    expect(store.get().heldBy).toBe('Compare');
    expect(store.hold('someone else')).toBeNull();

    const busy = { kind: 'busy', operation: 'measure' };
    expect(await store.load(spec('b'))).toMatchObject({ ok: false, error: busy });
    expect(await store.deleteStored([spec('a')])).toMatchObject({ ok: false, error: busy });
    expect(
      await store.generate(
        { mode: 'complete', prompt: 'x', sampling: { temperature: 0, maxTokens: 2 } },
        () => undefined,
      ),
    ).toMatchObject({ ok: false, error: busy });

    // The holder may: it loads with the backend it asks for, whatever the preference.
    const loaded = await session?.load(spec('b'), 'cpu');
    expect(loaded).toMatchObject({ ok: true, value: { backend: { kind: 'cpu' } } });
    session?.release();
    expect(store.get().heldBy).toBeNull();
    expect((await store.load(spec('a'))).ok).toBe(true);
    // A released session can do nothing more.
    expect(await session?.load(spec('b'), 'auto')).toMatchObject({ ok: false });
  });

  it('shows a measurement as its own state, and unloads on request', async () => {
    const { store, seen } = engineOver();
    await store.start();
    await store.load(spec('a'));
    const session = store.hold('Compare');
    const signal = new AbortController().signal;
    const outcome = await session?.benchmark(
      { promptText: 'p', decodeTokens: 4, repetitions: 1 },
      { signal, onEvent: () => undefined },
    );
    expect(outcome).toMatchObject({ ok: true, value: [{ decode: { tokens: 4 } }] });
    expect(seen.map((s) => s.status)).toContain('measuring');
    expect(store.get().state.status).toBe('ready');
    expect(await session?.unload()).toEqual({ ok: true, value: null });
    expect(store.get().state).toEqual({ status: 'idle' });
    session?.release();
  });
});

describe('a load beside other tabs’ models', () => {
  const GiB = 1024 ** 3;
  const small: DeviceReport = { ...noAdapter, deviceMemoryGiB: 1 };
  const storedB = {
    spec: spec('b'),
    status: 'complete' as const,
    sizeBytes: 0.5 * GiB,
    storedBytes: 0.5 * GiB,
    quantization: null,
    storedAt: 0,
    lastUsedAt: null,
  };
  const otherTab = [{ label: 'theirs', bytes: 0.75 * GiB }];

  it('warns first, loading nothing and keeping this tab’s model, until asked to load anyway', async () => {
    const { store, api } = engineOver({ device: small, stored: [storedB], otherTabs: otherTab });
    await store.start();
    await store.load(spec('a'));
    const a = api.loaded();

    const warned = await store.load(spec('b'));
    expect(warned).toEqual({
      ok: false,
      error: {
        kind: 'other-tabs-memory',
        others: otherTab,
        model: { label: 'b', bytes: 0.5 * GiB },
        limitBytes: GiB,
      },
      loaded: a,
    });
    expect(api.loaded()).toBe(a);
    expect(api.calls.filter((call) => call.method === 'load')).toHaveLength(1);
    expect(store.get().state).toMatchObject({ status: 'error', model: a, spec: spec('b') });

    // Cancel: this tab is as it was.
    store.dismissError();
    expect(store.get().state).toEqual({ status: 'ready', model: a });

    const anyway = await store.load(spec('b'), { despiteOtherTabs: true });
    expect(anyway.ok).toBe(true);
    expect(store.get().state).toMatchObject({ status: 'ready', model: { name: 'b' } });
  });

  it('loads at once when it fits beside them', async () => {
    const { store } = engineOver({
      device: { ...noAdapter, deviceMemoryGiB: 2 },
      stored: [storedB],
      otherTabs: otherTab,
    });
    await store.start();
    expect((await store.load(spec('b'))).ok).toBe(true);
  });

  it('warns before a load from files too, sized by the files', async () => {
    const { store, api } = engineOver({ device: small, otherTabs: [{ label: 'x', bytes: GiB }] });
    await store.start();
    const files = [new Blob([new Uint8Array(16)])];
    const warned = await store.loadFiles(spec('w'), files);
    expect(warned).toMatchObject({ ok: false, error: { model: { label: 'w', bytes: 16 } } });
    expect(api.calls.some((call) => call.method === 'loadFiles')).toBe(false);
  });

  it('lets the lab load its variants without a warning in the middle of its run', async () => {
    const { store } = engineOver({ device: small, stored: [storedB], otherTabs: otherTab });
    await store.start();
    const session = store.hold('Compare');
    expect((await session?.load(spec('b'), 'auto'))?.ok).toBe(true);
    session?.release();
  });
});
