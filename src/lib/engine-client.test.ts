import { expose } from 'comlink';
import { describe, expect, it, vi } from 'vitest';
import { createEngineClient } from './engine-client.ts';
import {
  orderedEvents,
  type EngineApi,
  type GenerationResult,
  type LoadedModel,
} from '../shared/engine-protocol.ts';

/**
 * The protocol across a real Comlink channel: the real client on one side, a scripted
 * `EngineApi` on the other (the real worker needs a browser; the e2e tests run it).
 */
const model: LoadedModel = {
  spec: { engine: 'gguf', url: 'https://h/m.gguf', label: 'm' },
  name: 'm',
  backend: { kind: 'webgpu', adapter: 'Test GPU' },
  contextSize: 512,
  hasChatTemplate: true,
  fromStorage: false,
  sizeBytes: 10,
};
const result: GenerationResult = {
  text: 'Hello',
  finishReason: 'stop',
  measurements: { promptTokens: 3, outputTokens: 2, prefillMs: 10, decodeMs: 20 },
};

function connect(api: EngineApi) {
  const channel = new MessageChannel();
  expose(api, channel.port1);
  const worker = Object.assign(channel.port2, { terminate: () => channel.port2.close() });
  return createEngineClient(() => worker);
}

function scriptedApi(over: Partial<EngineApi> = {}): EngineApi {
  let stop: () => void = () => undefined;
  return {
    probe: vi.fn(),
    listStored: async () => [],
    deleteStored: async () => ({ ok: true, value: null }),
    importLocal: async () => ({ ok: false, error: { kind: 'cancelled' } }),
    current: async () => model,
    networkLog: async () => [],
    // Like the worker: events go through `orderedEvents` and are delivered before returning.
    async load(_spec, _options, onEvent) {
      const events = orderedEvents(onEvent);
      events.send({ type: 'download', loadedBytes: 5, totalBytes: 10, at: 1, inOtherTab: false });
      events.send({ type: 'stage', stage: 'initializing' });
      await events.delivered();
      return { ok: true, value: model };
    },
    cancelLoad: () => undefined,
    generate: (_request, onToken) =>
      new Promise((resolve) => {
        onToken({ text: 'Hel' });
        onToken({ text: 'lo' });
        stop = () => resolve({ ok: true, value: { ...result, finishReason: 'aborted' } });
        setTimeout(() => resolve({ ok: true, value: result }), 200);
      }),
    stopGeneration: () => stop(),
    ...over,
  };
}

describe('engine protocol over Comlink', () => {
  it('streams load events and tokens through proxied callbacks, in order', async () => {
    const client = connect(scriptedApi());
    const events: unknown[] = [];
    const loaded = await client.load(
      model.spec,
      { backend: 'auto' },
      {
        signal: new AbortController().signal,
        onEvent: (e) => events.push(e),
      },
    );
    expect(loaded).toEqual({ ok: true, value: model });
    expect(events).toEqual([
      { type: 'download', loadedBytes: 5, totalBytes: 10, at: 1, inOtherTab: false },
      { type: 'stage', stage: 'initializing' },
    ]);

    const tokens: string[] = [];
    const generated = await client.generate(
      {
        mode: 'chat',
        messages: [{ role: 'user', content: 'Hi' }],
        sampling: { temperature: 0, maxTokens: 2 },
      },
      { signal: new AbortController().signal, onToken: (t) => tokens.push(t) },
    );
    expect(tokens).toEqual(['Hel', 'lo']);
    expect(generated).toEqual({ ok: true, value: result });
  });

  it('drops events that arrive after the result', async () => {
    const client = connect(
      scriptedApi({
        generate: async (_request, onToken) => {
          setTimeout(() => onToken({ text: 'late' }), 20); // a worker that breaks the rule
          return { ok: true, value: result };
        },
      }),
    );
    const tokens: string[] = [];
    await client.generate(
      { mode: 'complete', prompt: 'Hi', sampling: { temperature: 0, maxTokens: 2 } },
      { signal: new AbortController().signal, onToken: (t) => tokens.push(t) },
    );
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(tokens).toEqual([]);
  });

  it('carries errors as data with every field intact', async () => {
    const error = {
      kind: 'download-failed',
      url: 'https://h/m.gguf',
      status: 404,
      detail: 'Not Found',
    } as const;
    const client = connect(scriptedApi({ load: async () => ({ ok: false, error }) }));
    const outcome = await client.load(
      model.spec,
      { backend: 'auto' },
      {
        signal: new AbortController().signal,
        onEvent: () => undefined,
      },
    );
    expect(outcome).toEqual({ ok: false, error });
  });

  it('turns an AbortSignal into a stop call and gets the partial result back', async () => {
    const client = connect(scriptedApi());
    const controller = new AbortController();
    const pending = client.generate(
      { mode: 'complete', prompt: 'Hi', sampling: { temperature: 0, maxTokens: 2 } },
      { signal: controller.signal, onToken: () => controller.abort() },
    );
    const outcome = await pending;
    expect(outcome.ok && outcome.value.finishReason).toBe('aborted');
  });

  it('never hangs when the worker fails: pending calls end with an internal error', async () => {
    const channel = new MessageChannel();
    expose(scriptedApi({ generate: () => new Promise(() => undefined) }), channel.port1);
    const listeners: ((event: Event) => void)[] = [];
    const worker = {
      postMessage: channel.port2.postMessage.bind(channel.port2),
      addEventListener: (type: string, listener: (event: Event) => void) => {
        if (type === 'error') listeners.push(listener);
        else channel.port2.addEventListener(type, listener);
      },
      removeEventListener: channel.port2.removeEventListener.bind(channel.port2),
      terminate: () => channel.port2.close(),
    };
    channel.port2.start();
    const client = createEngineClient(() => worker);
    const pending = client.generate(
      { mode: 'complete', prompt: 'Hi', sampling: { temperature: 0, maxTokens: 2 } },
      { signal: new AbortController().signal, onToken: () => undefined },
    );
    const crash = Object.assign(new Event('error'), { message: 'worker crashed' });
    for (const listener of listeners) listener(crash);
    expect(await pending).toEqual({
      ok: false,
      error: { kind: 'internal', detail: 'worker crashed' },
    });
  });
});
