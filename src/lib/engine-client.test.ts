import { expose } from 'comlink';
import { describe, expect, it } from 'vitest';
import { createEngineClient, inferenceWorker, type WorkerLike } from './engine-client.ts';
import { createFakeEngineApi } from './testing/fake-engine-api.ts';
import type { EngineApi, GenerateStream, ModelSpec } from '../shared/engine-protocol.ts';

/**
 * The protocol across a real Comlink channel: the real client on one side, the fake engine API
 * on the other (the real worker needs a browser; the e2e tests run it).
 */
const spec: ModelSpec = { engine: 'gguf', url: 'https://h/m.gguf', label: 'm' };
const request = {
  mode: 'chat' as const,
  messages: [{ role: 'user' as const, content: 'Hello there you' }],
  sampling: { temperature: 0, maxTokens: 8 },
};
const handlers = { signal: new AbortController().signal, onEvent: () => undefined };

/** A MessagePort dressed as a worker, with a way to make it "crash". */
function workerFor(api: EngineApi) {
  const channel = new MessageChannel();
  expose(api, channel.port1);
  const errorListeners: ((event: Event) => void)[] = [];
  const worker: WorkerLike = {
    postMessage: channel.port2.postMessage.bind(channel.port2),
    addEventListener: (type: string, listener: (event: Event) => void) => {
      if (type === 'error') errorListeners.push(listener);
      else channel.port2.addEventListener(type, listener);
    },
    removeEventListener: channel.port2.removeEventListener.bind(channel.port2),
    terminate: () => channel.port2.close(),
  };
  channel.port2.start();
  const crash = (message: string) => {
    const event = Object.assign(new Event('error'), { message });
    for (const listener of errorListeners) listener(event);
  };
  return { worker, crash };
}

const connect = (api: EngineApi) => {
  const { worker, crash } = workerFor(api);
  return { client: createEngineClient(inferenceWorker(() => worker)), crash };
};

describe('engine protocol over Comlink', () => {
  it('streams load events and tokens on a port of their own, in order', async () => {
    const { client } = connect(createFakeEngineApi());
    const events: unknown[] = [];
    const loaded = await client.load(
      spec,
      { backend: 'auto' },
      { ...handlers, onEvent: (e) => events.push(e) },
    );
    expect(loaded).toMatchObject({ ok: true, value: { spec, name: 'm' } });
    expect(events).toMatchObject([
      { type: 'download', loadedBytes: 500, totalBytes: 1000, inOtherTab: false },
      { type: 'stage', stage: 'initializing' },
    ]);

    const tokens: string[] = [];
    const generated = await client.generate(request, {
      signal: new AbortController().signal,
      onToken: (t) => tokens.push(t),
    });
    expect(tokens).toEqual(['Hello ', 'there ', 'you']);
    expect(generated).toMatchObject({
      ok: true,
      value: { text: 'Hello there you', finishReason: 'stop' },
    });
  });

  it('sends the text once: the end of a run carries only how it ended', async () => {
    const api = createFakeEngineApi();
    const ends: unknown[] = [];
    const spying: EngineApi = {
      ...api,
      generate: async (req, port) => {
        // Listen on a second channel spliced in front of the client's port.
        const { port1, port2 } = new MessageChannel();
        port1.addEventListener('message', (m: MessageEvent<GenerateStream>) => {
          if (m.data.type === 'end') ends.push(m.data.outcome);
          port.postMessage(m.data);
        });
        port1.start();
        await api.generate(req, port2);
      },
    };
    const { client } = connect(spying);
    await client.load(spec, { backend: 'auto' }, handlers);
    const generated = await client.generate(request, {
      signal: new AbortController().signal,
      onToken: () => undefined,
    });
    expect(generated.ok && generated.value.text).toBe('Hello there you');
    expect(ends).toHaveLength(1);
    expect(ends[0]).not.toHaveProperty('value.text');
  });

  it('carries errors as data with every field intact, and what is still loaded', async () => {
    const error = {
      kind: 'download-failed',
      url: 'https://h/m.gguf',
      status: 404,
      detail: 'Not Found',
    } as const;
    const { client } = connect(createFakeEngineApi({ loadError: () => error }));
    expect(await client.load(spec, { backend: 'auto' }, handlers)).toEqual({
      ok: false,
      error,
      loaded: null,
    });
  });

  it('turns an AbortSignal into a cancel on the run’s port and gets the partial result back', async () => {
    const { client } = connect(
      createFakeEngineApi({ answer: () => ['a', 'b', 'c', 'd', 'e', 'f'], tokenDelayMs: 10 }),
    );
    await client.load(spec, { backend: 'auto' }, handlers);
    const controller = new AbortController();
    const outcome = await client.generate(request, {
      signal: controller.signal,
      onToken: () => controller.abort(),
    });
    expect(outcome.ok && outcome.value.finishReason).toBe('aborted');
    expect(outcome.ok && outcome.value.text.length).toBeLessThan(6);
  });

  it('never hangs when the worker fails: pending calls end with the engine crashed', async () => {
    const stuck: EngineApi = {
      ...createFakeEngineApi(),
      generate: () => new Promise(() => undefined),
    };
    const { client, crash } = connect(stuck);
    const pending = client.generate(request, {
      signal: new AbortController().signal,
      onToken: () => undefined,
    });
    crash('worker crashed');
    expect(await pending).toEqual({
      ok: false,
      error: {
        kind: 'engine-crashed',
        detail: 'worker crashed',
        neededBytes: null,
        limitBytes: null,
      },
      loaded: null,
    });
  });
});
