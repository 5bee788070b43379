import { afterEach, describe, expect, it } from 'vitest';
import type { HostCall, WidgetMessage } from '../embed/embed-protocol.ts';
import {
  acceptHello,
  listenForHosts,
  serveHost,
  type CallOutput,
  type HelloContext,
  type HelloEvent,
  type HostApiHandler,
} from './host-bridge.ts';

const HOST = 'https://shop.example';
const parent = { name: 'parent window' };
const self = { name: 'widget window' };
const context: HelloContext = {
  parent,
  self,
  ownOrigin: 'https://tab-llm.example',
  allowed: [HOST],
  ancestor: HOST,
};
const hello = { protocol: 'tab-llm-embed', version: 1, type: 'hello', origin: HOST };

const opened: MessagePort[] = [];
afterEach(() => {
  for (const port of opened.splice(0)) port.close();
});
const channel = () => {
  const { port1, port2 } = new MessageChannel();
  opened.push(port1, port2);
  return { port1, port2 };
};
const event = (change: Partial<HelloEvent> = {}): HelloEvent => ({
  data: hello,
  origin: HOST,
  source: parent,
  ports: [channel().port2],
  ...change,
});

describe('the handshake', () => {
  it('accepts a hello from the parent, at an allowed origin that it declares', () => {
    const accepted = acceptHello(event(), context);
    expect(accepted?.origin).toBe(HOST);
    expect(accepted?.port).toBeInstanceOf(MessagePort);
  });

  it('ignores every other sender and every wrong hello', () => {
    const other = 'https://evil.example';
    const cases: [string, HelloEvent, HelloContext?][] = [
      ['another window or frame', event({ source: { name: 'a sibling frame' } })],
      ['no window at all', event({ source: null })],
      ['the widget itself, when it is not embedded', event(), { ...context, parent: self }],
      ['an origin not allowed', event({ origin: other, data: { ...hello, origin: other } })],
      ['a declared origin that is not the sender’s', event({ data: { ...hello, origin: other } })],
      [
        'a sender other than the parent the browser reports',
        event(),
        { ...context, ancestor: other },
      ],
      ['no port', event({ ports: [] })],
      ['two ports', event({ ports: [channel().port2, channel().port2] })],
      ['another protocol', event({ data: { ...hello, protocol: 'x' } })],
      ['another version', event({ data: { ...hello, version: 2 } })],
      ['extra fields', event({ data: { ...hello, extra: 1 } })],
      ['a string', event({ data: JSON.stringify(hello) })],
      ['an opaque origin', event({ origin: 'null', data: { ...hello, origin: 'null' } })],
    ];
    for (const [what, e, c = context] of cases) expect(acceptHello(e, c), what).toBe(null);
  });

  it('accepts the app’s own origin as a parent', () => {
    const own = context.ownOrigin;
    const e = event({ origin: own, data: { ...hello, origin: own } });
    expect(acceptHello(e, { ...context, allowed: [], ancestor: own })?.origin).toBe(own);
  });
});

/** A handler that records its calls and answers availability; completions stream two pieces. */
function recordingHandler() {
  const calls: { call: HostCall; output: CallOutput }[] = [];
  const handler: HostApiHandler = {
    welcome: () => ({
      type: 'welcome',
      version: 1,
      model: { name: 'tiny', sizeBytes: 10 },
      storage: 'partitioned',
    }),
    async call(_origin, call, output) {
      calls.push({ call, output });
      if (call.method === 'availability') {
        return { ok: true, result: { method: 'availability', availability: 'downloadable' } };
      }
      output.chunk('a', '');
      await new Promise<void>((resolve) => {
        if (output.signal.aborted) resolve();
        output.signal.addEventListener('abort', () => resolve());
        setTimeout(resolve, 50);
      });
      if (output.signal.aborted) return { ok: false, error: { kind: 'cancelled', message: 'x' } };
      output.chunk('b', '');
      return {
        ok: true,
        result: {
          method: 'complete',
          completion: { text: 'ab', finishReason: 'stop', promptTokens: 1, completionTokens: 2 },
        },
      };
    },
  };
  return { handler, calls };
}

/** The host's end of a served port: what it received, and a way to post. */
function hostEnd() {
  const { port1, port2 } = channel();
  const received: WidgetMessage[] = [];
  port2.onmessage = (e: MessageEvent<WidgetMessage>) => received.push(e.data);
  return { widgetPort: port1, hostPort: port2, received };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('the port', () => {
  it('welcomes, answers a valid call, and drops malformed and oversized messages unanswered', async () => {
    const { handler, calls } = recordingHandler();
    const { widgetPort, hostPort, received } = hostEnd();
    serveHost(widgetPort, HOST, handler);
    for (const junk of [
      'availability',
      { type: 'call', method: 'availability' },
      { type: 'call', id: 1, method: 'readDom' },
      { type: 'call', id: 1, method: 'availability', pad: 'x'.repeat(2 << 20) },
      {
        type: 'call',
        id: 1,
        method: 'complete',
        params: { messages: [{ role: 'user', content: new Date() }] },
      },
    ]) {
      hostPort.postMessage(junk);
    }
    await settle();
    expect(received.map((m) => m.type)).toEqual(['welcome']);
    expect(calls).toEqual([]);

    hostPort.postMessage({ type: 'call', id: 4, method: 'availability' });
    await settle();
    expect(received.at(-1)).toEqual({
      type: 'done',
      id: 4,
      result: { method: 'availability', availability: 'downloadable' },
    });
  });

  it('streams pieces before the end, cancels on request, and ignores an id in use', async () => {
    const { handler, calls } = recordingHandler();
    const { widgetPort, hostPort, received } = hostEnd();
    serveHost(widgetPort, HOST, handler);
    const call = {
      type: 'call',
      id: 9,
      method: 'complete',
      params: { messages: [{ role: 'user', content: 'hi' }] },
    };
    hostPort.postMessage(call);
    hostPort.postMessage(call); // the same id again, while the first runs
    await expect.poll(() => received.at(-1)?.type).toBe('done');
    expect(calls).toHaveLength(1);
    expect(received.slice(1).map((m) => m.type)).toEqual(['chunk', 'chunk', 'done']);

    hostPort.postMessage({ ...call, id: 10 });
    await settle();
    hostPort.postMessage({ type: 'cancel', id: 10 });
    await settle();
    expect(calls[1]?.output.signal.aborted).toBe(true);
    expect(received.at(-1)).toMatchObject({ type: 'failed', id: 10, error: { kind: 'cancelled' } });
  });

  it('after close, aborts what runs and says nothing more', async () => {
    const { handler, calls } = recordingHandler();
    const { widgetPort, hostPort, received } = hostEnd();
    const connection = serveHost(widgetPort, HOST, handler);
    hostPort.postMessage({
      type: 'call',
      id: 1,
      method: 'complete',
      params: { messages: [{ role: 'user', content: 'hi' }] },
    });
    await settle();
    connection.close();
    await settle();
    expect(calls[0]?.output.signal.aborted).toBe(true);
    const count = received.length;
    connection.attention();
    await settle();
    expect(received).toHaveLength(count);
  });
});

describe('listening on the window', () => {
  it('serves a valid hello, ignores others, and a newer hello replaces the connection', async () => {
    const target = new EventTarget();
    const { handler } = recordingHandler();
    const origins: (string | null)[] = [];
    const stop = listenForHosts(
      target,
      () => context,
      handler,
      (c) => origins.push(c?.origin ?? null),
    );
    const post = (e: HelloEvent) => target.dispatchEvent(Object.assign(new Event('message'), e));

    const sibling = hostEnd();
    post(event({ source: { name: 'a sibling frame' }, ports: [sibling.widgetPort] }));
    const first = hostEnd();
    post(event({ ports: [first.widgetPort] }));
    await settle();
    expect(sibling.received).toEqual([]);
    expect(first.received.map((m) => m.type)).toEqual(['welcome']);

    const second = hostEnd();
    post(event({ ports: [second.widgetPort] }));
    await settle();
    expect(second.received.map((m) => m.type)).toEqual(['welcome']);
    // The first port is closed: calls on it get no answer.
    first.hostPort.postMessage({ type: 'call', id: 1, method: 'availability' });
    await settle();
    expect(first.received).toHaveLength(1);
    expect(origins).toEqual([HOST, HOST]);
    stop();
    expect(origins.at(-1)).toBe(null);
  });
});
