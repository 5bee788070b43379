/**
 * One long operation (a load, an import, an answer) talks over a MessagePort of its own: the
 * worker sends its events and then its end (the outcome) on it, and the main thread may send
 * `cancel` back. A port delivers in order, so the end can never overtake an event, no event needs
 * acknowledging, and the outcome is sent once. Cancelling through the port stops this operation
 * and no other.
 */

export type StreamMessage<E, R> = { type: 'event'; event: E } | { type: 'end'; outcome: R };

/** The event and the outcome type of a stream's messages. */
export type EventOf<M> = M extends { type: 'event'; event: infer E } ? E : never;
export type EndOf<M> = M extends { type: 'end'; outcome: infer R } ? R : never;
export type AnyStream = StreamMessage<unknown, unknown>;

/** Sent by the receiving side. */
export interface CancelMessage {
  type: 'cancel';
}

export interface StreamSender<M extends AnyStream> {
  send: (event: EventOf<M>) => void;
  /** Sends the outcome and closes the port; later sends are dropped. */
  end: (outcome: EndOf<M>) => void;
  /** Aborts when the receiver cancels (or has gone away). */
  signal: AbortSignal;
}

/** The producing side (the worker) of `port`. */
export function streamSender<M extends AnyStream>(port: MessagePort): StreamSender<M> {
  const cancelled = new AbortController();
  let open = true;
  // The receiver sends nothing but `CancelMessage`.
  port.addEventListener('message', () => cancelled.abort());
  port.start();
  const post = (message: StreamMessage<EventOf<M>, EndOf<M>>) => {
    if (open) port.postMessage(message);
  };
  return {
    send: (event) => post({ type: 'event', event }),
    end(outcome) {
      post({ type: 'end', outcome });
      open = false;
      port.close();
    },
    signal: cancelled.signal,
  };
}

export interface StreamReceiver<R> {
  /** Resolves with the sender's outcome. */
  outcome: Promise<R>;
  cancel: () => void;
  /** Stops listening without waiting for the end (the sender is gone). */
  close: () => void;
}

/** The consuming side (the main thread) of `port`: `onEvent` sees every event, in order. */
export function streamReceiver<M extends AnyStream>(
  port: MessagePort,
  onEvent: (event: EventOf<M>) => void,
): StreamReceiver<EndOf<M>> {
  let open = true;
  const outcome = new Promise<EndOf<M>>((resolve) => {
    port.addEventListener(
      'message',
      (message: MessageEvent<StreamMessage<EventOf<M>, EndOf<M>>>) => {
        if (!open) return;
        const data = message.data;
        if (data.type === 'event') {
          onEvent(data.event);
        } else {
          open = false;
          port.close();
          resolve(data.outcome);
        }
      },
    );
  });
  port.start();
  return {
    outcome,
    cancel: () => {
      if (open) port.postMessage({ type: 'cancel' } satisfies CancelMessage);
    },
    close: () => {
      open = false;
      port.close();
    },
  };
}
