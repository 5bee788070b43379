import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectToFrame, TabLlmError, type TabLlmClient } from '../embed/host-client.ts';
import { createGrantStore, type GrantStore } from '../lib/embed-grants.ts';
import { createEngineClient, inThread } from '../lib/engine-client.ts';
import { createEngineStore } from '../lib/engine-store.ts';
import { createPreferenceStore, memoryPreferences } from '../lib/preferences.ts';
import { createRunLog } from '../lib/run-log.ts';
import { createFakeEngineApi, type FakeEngineApi } from '../lib/testing/fake-engine-api.ts';
import type { GenerateRequest } from '../shared/engine-protocol.ts';
import { listenForHosts } from './host-bridge.ts';
import { createHostApi } from './host-api.ts';
import { readWidgetConfig } from './widget-config.ts';
import { createWidgetController, type WidgetController } from './widget-controller.ts';

/**
 * The host page's client (`embed.js`) against the widget's bridge and host API, over real
 * MessageChannels, with the fake engine API: what a site's script gets, short of a browser.
 */

const SITE = 'https://shop.example';
const WIDGET = 'https://tab-llm.example';
let stores = 0;

interface Harness {
  client: TabLlmClient;
  widget: WidgetController;
  grants: GrantStore;
  api: FakeEngineApi;
  requests: GenerateRequest[];
  stop: () => void;
}

/** A widget "frame": the host's postMessage reaches the widget's window listener. */
async function connect(answer: (request: GenerateRequest) => string[], tokenDelayMs = 0) {
  const requests: GenerateRequest[] = [];
  const api = createFakeEngineApi({
    answer: (request) => {
      requests.push(request);
      return answer(request);
    },
    tokenDelayMs,
  });
  const engine = createEngineStore(createEngineClient(inThread(api)), {
    runs: createRunLog(),
    preferences: createPreferenceStore(memoryPreferences()),
    adapterRecheckMs: [],
  });
  await engine.start();
  const reading = readWidgetConfig('#model=https%3A%2F%2Fm.example%2Ftiny.gguf&size=1000');
  if (!reading.ok) throw new Error(reading.problem);
  const grants = createGrantStore(createStore(`client-grants-${++stores}`, 'grants'));
  const widget = createWidgetController({
    engine,
    config: reading.config,
    grants,
    storage: 'partitioned',
    requestSharedStorage: () => Promise.resolve({ ok: false, reason: 'not here' }),
  });
  const widgetWindow = new EventTarget();
  const parent = { name: 'the host page' };
  const stop = listenForHosts(
    widgetWindow,
    () => ({ parent, self: widgetWindow, ownOrigin: WIDGET, allowed: [SITE], ancestor: SITE }),
    createHostApi(engine, widget),
    (connection) => widget.setHost(connection),
  );
  const frame = Object.assign(new EventTarget(), {
    contentWindow: {
      postMessage(data: unknown, targetOrigin: string, transfer: MessagePort[]) {
        // The browser delivers only to a window of the addressed origin.
        if (targetOrigin !== WIDGET) return;
        widgetWindow.dispatchEvent(
          Object.assign(new Event('message'), {
            data,
            origin: SITE,
            source: parent,
            ports: transfer,
          }),
        );
      },
    },
  }) as unknown as HTMLIFrameElement;
  const client = await connectToFrame(frame, WIDGET);
  return { client, widget, grants, api, requests, stop } satisfies Harness;
}

let harness: Harness | null = null;
beforeEach(() => {
  vi.stubGlobal('location', { origin: SITE });
});
afterEach(() => {
  harness?.stop();
  harness?.client.close();
  harness = null;
  vi.unstubAllGlobals();
});

/** Connected, the site granted and the model started. */
async function ready(answer: (request: GenerateRequest) => string[], tokenDelayMs = 0) {
  harness = await connect(answer, tokenDelayMs);
  await harness.grants.grant(SITE);
  await harness.widget.start();
  return harness;
}

const words = () => ['The', ' cat', ' sat', '.'];

describe('the host API client', () => {
  it('connects and says which model and storage the widget has', async () => {
    harness = await connect(words);
    expect(harness.client.model).toEqual({ name: 'tiny', sizeBytes: 1000 });
    expect(harness.client.storage).toBe('partitioned');
    expect(await harness.client.LanguageModel.availability()).toBe('downloadable');
  });

  it('gives up with a typed error when the widget never answers', async () => {
    const frame = Object.assign(new EventTarget(), {
      contentWindow: { postMessage: () => undefined },
    }) as unknown as HTMLIFrameElement;
    const failure = await connectToFrame(frame, WIDGET, { timeoutMs: 200 }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(TabLlmError);
    expect((failure as TabLlmError).kind).toBe('unavailable');
  });

  it('streams OpenAI-shaped chunks that join into the non-streamed answer', async () => {
    const { client } = await ready(words);
    const params = { messages: [{ role: 'user' as const, content: 'Hi' }], temperature: 0 };
    const whole = await client.chat.completions.create(params);
    expect(whole).toMatchObject({
      object: 'chat.completion',
      model: 'tiny',
      choices: [{ message: { role: 'assistant', content: 'The cat sat.' }, finish_reason: 'stop' }],
    });
    const chunks = [];
    for await (const chunk of await client.chat.completions.create({ ...params, stream: true })) {
      chunks.push(chunk);
    }
    expect(chunks.length).toBe(5);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe(
      whole.choices[0].message.content,
    );
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe('stop');
  });

  it('ends a stream with an AbortError when aborted, and the next request runs', async () => {
    const { client } = await ready(() => Array.from({ length: 300 }, (_, i) => `${i} `), 5);
    const controller = new AbortController();
    const pieces: string[] = [];
    const reading = (async () => {
      const stream = await client.chat.completions.create({
        messages: [{ role: 'user', content: 'count' }],
        stream: true,
        signal: controller.signal,
      });
      for await (const chunk of stream) {
        pieces.push(chunk.choices[0].delta.content ?? '');
        if (pieces.length === 3) controller.abort();
      }
    })();
    const failure = await reading.catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DOMException);
    expect((failure as DOMException).name).toBe('AbortError');
    expect(pieces.length).toBeLessThan(300);
    const next = await client.chat.completions.create({
      messages: [{ role: 'user', content: 'again' }],
      max_tokens: 4,
    });
    expect(next.choices[0].message.content.length).toBeGreaterThan(0);
  });

  it('leaving the loop early stops the answer', async () => {
    // Counting takes 10 s to the end; anything else one piece.
    const { client, api } = await ready(
      (request) =>
        request.mode === 'chat' && request.messages.at(-1)?.content === 'count'
          ? Array.from({ length: 2000 }, (_, i) => `${i} `)
          : ['ok'],
      5,
    );
    for await (const chunk of await client.chat.completions.create({
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
    })) {
      if (chunk.choices[0].delta.content === '2 ') break;
    }
    // The widget is free again long before the count could have ended.
    const started = Date.now();
    await client.chat.completions.create({ messages: [{ role: 'user', content: 'x' }] });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(api.calls.filter((c) => c.method === 'generate')).toHaveLength(2);
  });

  it('runs Prompt-API-shaped sessions that keep their conversation', async () => {
    const { client, requests } = await ready(words);
    const progress: number[] = [];
    const session = await client.LanguageModel.create({
      initialPrompts: [{ role: 'system', content: 'Be brief.' }],
      monitor(m) {
        m.addEventListener('downloadprogress', (e) =>
          progress.push((e as Event & { loaded: number }).loaded),
        );
      },
    });
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(1);
    expect(session.contextWindow).toBe(512);
    expect(await session.prompt('First?')).toBe('The cat sat.');
    const streamed: string[] = [];
    const reader = session.promptStreaming('Second?').getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) streamed.push(r.value);
    expect(streamed.join('')).toBe('The cat sat.');
    expect(requests.at(-1)).toMatchObject({
      mode: 'chat',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'First?' },
        { role: 'assistant', content: 'The cat sat.' },
        { role: 'user', content: 'Second?' },
      ],
    });
    session.destroy();
    const failure = await session.prompt('Third?').catch((e: unknown) => e);
    expect((failure as DOMException).name).toBe('InvalidStateError');
  });

  it('turns a refusal into a TabLlmError of that kind', async () => {
    harness = await connect(words);
    await harness.grants.revoke(SITE);
    const failure = await harness.client.LanguageModel.create().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TabLlmError);
    expect((failure as TabLlmError).kind).toBe('revoked');
  });
});
