import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import type { HostCall } from '../embed/embed-protocol.ts';
import { createGrantStore } from '../lib/embed-grants.ts';
import type { EngineState } from '../lib/engine-lifecycle.ts';
import { createEngineClient, inThread } from '../lib/engine-client.ts';
import { createEngineStore } from '../lib/engine-store.ts';
import { createPreferenceStore, memoryPreferences } from '../lib/preferences.ts';
import { createRunLog } from '../lib/run-log.ts';
import { createFakeEngineApi, type FakeEngineScript } from '../lib/testing/fake-engine-api.ts';
import type { CallOutcome } from './host-bridge.ts';
import { createHostApi, loadProgress } from './host-api.ts';
import { readWidgetConfig } from './widget-config.ts';
import { createWidgetController } from './widget-controller.ts';

const SITE = 'https://shop.example';
const MODEL_URL = 'https://models.example/tiny-chat.gguf';
let stores = 0;

/** The widget's host API over the real engine store and the fake engine API. */
async function widgetOver(script: FakeEngineScript = {}) {
  const api = createFakeEngineApi(script);
  const engine = createEngineStore(createEngineClient(inThread(api)), {
    runs: createRunLog(),
    preferences: createPreferenceStore(memoryPreferences()),
    adapterRecheckMs: [],
  });
  await engine.start();
  const reading = readWidgetConfig(`#model=${encodeURIComponent(MODEL_URL)}`);
  if (!reading.ok) throw new Error(reading.problem);
  const grants = createGrantStore(createStore(`host-api-grants-${++stores}`, 'grants'));
  const widget = createWidgetController({
    engine,
    config: reading.config,
    grants,
    storage: 'partitioned',
    requestSharedStorage: () => Promise.resolve({ ok: false, reason: 'not in this test' }),
  });
  const host = createHostApi(engine, widget);
  /** Calls as the bridge would, recording what streams back. */
  const call = (hostCall: HostCall, controller = new AbortController()) => {
    const chunks: string[] = [];
    const progress: number[] = [];
    const outcome = host.call(SITE, hostCall, {
      signal: controller.signal,
      progress: (loaded) => progress.push(loaded),
      chunk: (content) => chunks.push(content),
    });
    return { outcome, chunks, progress, controller };
  };
  return { api, engine, widget, grants, call };
}

const until = (check: () => boolean) => expect.poll(check, { timeout: 2000 }).toBe(true);
const complete = (content = 'Hi'): HostCall => ({
  method: 'complete',
  params: { messages: [{ role: 'user', content }], temperature: 0, maxTokens: 8 },
});
const kindOf = (outcome: CallOutcome) => (outcome.ok ? 'ok' : outcome.error.kind);

describe('host API', () => {
  it('answers availability without a grant, and asks the visitor before anything else', async () => {
    const { widget, grants, call, api } = await widgetOver();
    expect(await call({ method: 'availability' }).outcome).toEqual({
      ok: true,
      result: { method: 'availability', availability: 'downloadable' },
    });

    const prepare = call({ method: 'prepare' });
    await until(() => widget.get().grantAsk === SITE);
    // Nothing loads while the visitor has not answered.
    expect(api.calls.filter((c) => c.method === 'load')).toEqual([]);
    widget.answerGrant(true);
    // Granted, the model still waits for the visitor's Download and start.
    await until(() => widget.get().startRequestedBy === SITE);
    expect(api.calls.filter((c) => c.method === 'load')).toEqual([]);
    void widget.start();
    const outcome = await prepare.outcome;
    expect(outcome).toEqual({
      ok: true,
      result: { method: 'prepare', contextWindow: 512, modelName: 'tiny-chat' },
    });
    expect(prepare.progress.at(-1)).toBe(1);
    expect(await grants.get(SITE)).toMatchObject({ state: 'granted' });
    expect(await call({ method: 'availability' }).outcome).toMatchObject({
      result: { availability: 'available' },
    });
  });

  it('refuses a site the visitor said no to, without asking twice', async () => {
    const { widget, call } = await widgetOver();
    const first = call(complete());
    await until(() => widget.get().grantAsk === SITE);
    widget.answerGrant(false);
    expect(kindOf(await first.outcome)).toBe('not-granted');
    expect(kindOf(await call(complete()).outcome)).toBe('not-granted');
    expect(widget.get().grantAsk).toBe(null);
  });

  it('refuses a revoked site without asking', async () => {
    const { widget, grants, call } = await widgetOver();
    await grants.grant(SITE);
    await grants.revoke(SITE);
    expect(kindOf(await call({ method: 'prepare' }).outcome)).toBe('revoked');
    expect(widget.get().grantAsk).toBe(null);
  });

  it('ends with declined when the visitor does not start the model', async () => {
    const { widget, grants, call } = await widgetOver();
    await grants.grant(SITE);
    const prepare = call({ method: 'prepare' });
    await until(() => widget.get().startRequestedBy === SITE);
    widget.decline();
    expect(kindOf(await prepare.outcome)).toBe('declined');
    expect(widget.get().consent).toBe('declined');
  });

  it('streams a completion whose pieces join into its text, one completion at a time', async () => {
    const { widget, grants, call } = await widgetOver({
      answer: () => ['Once', ' upon', ' a', ' time'],
    });
    await grants.grant(SITE);
    await widget.start();
    const first = call(complete('one'));
    const second = call(complete('two'));
    const [a, b] = await Promise.all([first.outcome, second.outcome]);
    for (const [outcome, chunks] of [
      [a, first.chunks],
      [b, second.chunks],
    ] as const) {
      expect(outcome).toMatchObject({
        ok: true,
        result: { completion: { text: 'Once upon a time', finishReason: 'stop' } },
      });
      expect(chunks.join('')).toBe('Once upon a time');
    }
  });

  it('stops a completion on cancel, and the next one runs', async () => {
    const { widget, grants, call, engine } = await widgetOver({
      answer: () => Array.from({ length: 200 }, (_, i) => `${i} `),
      tokenDelayMs: 5,
    });
    await grants.grant(SITE);
    await widget.start();
    const running = call(complete());
    await until(() => running.chunks.length >= 3);
    running.controller.abort();
    expect(kindOf(await running.outcome)).toBe('cancelled');
    expect(running.chunks.length).toBeLessThan(200);
    expect(engine.get().heldBy).toBe(null);
    const next = call(complete());
    expect(kindOf(await next.outcome)).toBe('ok');
  });

  it('forwards an engine failure with its kind, its message and its fields', async () => {
    const { widget, grants, call } = await widgetOver({
      runs: [{ pieces: [], error: { kind: 'context-overflow', contextSize: 512 } }],
    });
    await grants.grant(SITE);
    await widget.start();
    expect(await call(complete()).outcome).toMatchObject({
      ok: false,
      error: {
        kind: 'context-overflow',
        message: expect.stringContaining('512') as string,
        engine: { kind: 'context-overflow', contextSize: 512 },
      },
    });
  });
});

describe('loadProgress', () => {
  const spec = { engine: 'gguf', url: MODEL_URL, label: 'tiny-chat' } as const;
  const downloading = (loadedBytes: number, totalBytes: number | null): EngineState => ({
    status: 'downloading',
    spec,
    download: { loadedBytes, totalBytes, samples: [], inOtherTab: false },
  });

  it('does not report a load done while it is still being verified before its download', () => {
    // A load is verified before its download too: "loading" alone is not the end.
    expect(loadProgress({ status: 'loading', spec, stage: 'verifying' })).toBe(null);
    expect(loadProgress(downloading(0, null))).toBe(0);
    expect(loadProgress(downloading(250, 1000))).toBe(0.25);
    expect(loadProgress({ status: 'loading', spec, stage: 'initializing' })).toBe(1);
    expect(loadProgress({ status: 'idle' })).toBe(null);
  });
});
