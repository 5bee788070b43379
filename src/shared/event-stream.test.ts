import { describe, expect, it } from 'vitest';
import { streamReceiver, streamSender, type StreamMessage } from './event-stream.ts';

type Stream = StreamMessage<number, string>;

describe('event stream', () => {
  it('delivers every event before the end, once, in order', async () => {
    const { port1, port2 } = new MessageChannel();
    const sender = streamSender<Stream>(port2);
    const seen: number[] = [];
    const receiver = streamReceiver<Stream>(port1, (n) => seen.push(n));
    for (let i = 0; i < 100; i++) sender.send(i);
    sender.end('done');
    sender.send(100); // after the end: dropped
    expect(await receiver.outcome).toBe('done');
    expect(seen).toEqual([...Array(100).keys()]);
  });

  it('aborts the sender when the receiver cancels', async () => {
    const { port1, port2 } = new MessageChannel();
    const sender = streamSender<Stream>(port2);
    const receiver = streamReceiver<Stream>(port1, () => undefined);
    const aborted = new Promise((resolve) => sender.signal.addEventListener('abort', resolve));
    receiver.cancel();
    await aborted;
    expect(sender.signal.aborted).toBe(true);
    sender.end('stopped');
    expect(await receiver.outcome).toBe('stopped');
  });
});
