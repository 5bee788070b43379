import {
  readHello,
  readHostMessage,
  type CallResult,
  type EmbedError,
  type HostCall,
  type WidgetMessage,
} from '../embed/embed-protocol.ts';
import { embedderAllowed } from './embed-policy.ts';

/**
 * The widget's side of the handshake and of the host API's port (protocol: `embed-protocol.ts`).
 * The widget listens on `window` for one thing only: a hello from its parent window, from an
 * allowed origin that the hello itself declares. Everything else on `window` is dropped without
 * an answer. After the handshake it talks only over the transferred port, so no other window
 * ever hears it, and it never posts to `window` at all.
 */

/** What a window message event carries (a subset, so that tests can build one). */
export interface HelloEvent {
  data: unknown;
  origin: string;
  source: unknown;
  ports: readonly MessagePort[];
}

export interface HelloContext {
  /** The widget's parent window (the widget's own window when it is not embedded). */
  parent: unknown;
  self: unknown;
  ownOrigin: string;
  allowed: readonly string[];
  /** The parent's origin as the browser reports it (`location.ancestorOrigins[0]`), if it does. */
  ancestor: string | null;
}

/**
 * The host's origin and port from a hello that passes every check, or null: the message is then
 * ignored. The checks: sent by the parent window (not another frame, window or tab), from an
 * origin the deployment allows, declaring that same origin, which the browser's own record of the
 * parent confirms, with exactly one port, in a well-formed hello.
 */
export function acceptHello(
  event: HelloEvent,
  context: HelloContext,
): { origin: string; port: MessagePort } | null {
  if (context.parent === context.self || event.source !== context.parent) return null;
  const hello = readHello(event.data);
  if (!hello || hello.origin !== event.origin) return null;
  if (!embedderAllowed(event.origin, context.ownOrigin, context.allowed)) return null;
  if (context.ancestor !== null && context.ancestor !== event.origin) return null;
  const [port, ...more] = event.ports;
  return port && more.length === 0 ? { origin: event.origin, port } : null;
}

export type CallOutcome = { ok: true; result: CallResult } | { ok: false; error: EmbedError };

/** What a call may send while it runs. */
export interface CallOutput {
  /** Aborts when the host cancels the call or the connection ends. */
  signal: AbortSignal;
  progress: (loaded: number) => void;
  chunk: (content: string, reasoning: string) => void;
}

/** The widget's host API (see `host-api.ts`), as the bridge calls it. */
export interface HostApiHandler {
  welcome: () => Extract<WidgetMessage, { type: 'welcome' }>;
  call: (origin: string, call: HostCall, output: CallOutput) => Promise<CallOutcome>;
}

export interface HostConnection {
  origin: string;
  /** Asks the host to show the widget (a folded launcher opens): the visitor is asked something. */
  attention: () => void;
  close: () => void;
}

/** Answers one host on `port`: every message is read and checked first, and a bad one dropped. */
export function serveHost(
  port: MessagePort,
  origin: string,
  handler: HostApiHandler,
): HostConnection {
  const running = new Map<number, AbortController>();
  let open = true;
  const post = (message: WidgetMessage) => {
    if (open) port.postMessage(message);
  };
  port.onmessage = (event) => {
    const message = readHostMessage(event.data);
    if (!message) return;
    if (message.type === 'cancel') {
      running.get(message.id)?.abort();
      return;
    }
    const { id } = message;
    if (running.has(id)) return; // an id in use: not a new call
    const controller = new AbortController();
    running.set(id, controller);
    handler
      .call(origin, message, {
        signal: controller.signal,
        progress: (loaded) => post({ type: 'progress', id, loaded }),
        chunk: (content, reasoning) => post({ type: 'chunk', id, content, reasoning }),
      })
      .then(
        (outcome) =>
          post(
            outcome.ok
              ? { type: 'done', id, result: outcome.result }
              : { type: 'failed', id, error: outcome.error },
          ),
        (cause: unknown) =>
          post({
            type: 'failed',
            id,
            error: { kind: 'internal', message: `The widget failed: ${String(cause)}` },
          }),
      )
      .finally(() => running.delete(id));
  };
  post(handler.welcome());
  return {
    origin,
    attention: () => post({ type: 'attention' }),
    close() {
      open = false;
      for (const controller of running.values()) controller.abort();
      running.clear();
      port.onmessage = null;
      port.close();
    },
  };
}

/**
 * Listens for hellos on `target` (the widget's window). A newer accepted hello replaces the
 * connection (the host page reconnected); `onConnect` hears of each one.
 */
export function listenForHosts(
  target: Pick<Window, 'addEventListener' | 'removeEventListener'>,
  context: () => HelloContext,
  handler: HostApiHandler,
  onConnect: (connection: HostConnection | null) => void,
): () => void {
  let connection: HostConnection | null = null;
  const onMessage = (event: MessageEvent) => {
    const accepted = acceptHello(event, context());
    if (!accepted) return;
    connection?.close();
    connection = serveHost(accepted.port, accepted.origin, handler);
    onConnect(connection);
  };
  target.addEventListener('message', onMessage);
  return () => {
    target.removeEventListener('message', onMessage);
    connection?.close();
    connection = null;
    onConnect(null);
  };
}
