import { describe, expect, it } from 'vitest';
import {
  isPlainMessage,
  MAX_DEPTH,
  MAX_MESSAGE_CHARS,
  MAX_TURNS,
  readHello,
  readHostMessage,
  readWidgetMessage,
} from './embed-protocol.ts';

const hello = { protocol: 'tab-llm-embed', version: 1, type: 'hello', origin: 'https://a.example' };
const complete = (params: unknown) => ({ type: 'call', id: 7, method: 'complete', params });
const turns = [{ role: 'user', content: 'Hi' }];

describe('plain messages', () => {
  it('accepts plain data within the limits', () => {
    expect(isPlainMessage({ a: [1, 'x', null, true, { b: Object.create(null) as object }] })).toBe(
      true,
    );
  });

  it('refuses what a structured clone can carry beyond plain data', () => {
    for (const value of [
      new Date(),
      new Map([[1, 2]]),
      new Blob(['x']),
      new ArrayBuffer(8),
      new Uint8Array(4),
      /x/,
      NaN,
      Infinity,
      undefined,
      10n,
    ]) {
      expect(isPlainMessage({ value }), Object.prototype.toString.call(value)).toBe(false);
    }
  });

  it('refuses oversized, too deep, too many and cyclic messages', () => {
    expect(isPlainMessage({ text: 'x'.repeat(MAX_MESSAGE_CHARS) })).toBe(false);
    expect(isPlainMessage({ ['k'.repeat(MAX_MESSAGE_CHARS + 1)]: 1 })).toBe(false);
    expect(isPlainMessage({ ['k'.repeat(MAX_MESSAGE_CHARS - 1)]: 1 })).toBe(true);
    let deep: unknown = 1;
    for (let i = 0; i < MAX_DEPTH + 1; i++) deep = [deep];
    expect(isPlainMessage(deep)).toBe(false);
    expect(isPlainMessage(new Array(30_000).fill(0))).toBe(false);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(isPlainMessage(cycle)).toBe(false);
  });
});

describe('the hello', () => {
  it('is read only in its exact shape', () => {
    expect(readHello(hello)).toEqual(hello);
    expect(readHello({ ...hello, version: 2 })).toBe(null);
    expect(readHello({ ...hello, protocol: 'other' })).toBe(null);
    expect(readHello({ ...hello, type: 'call' })).toBe(null);
    expect(readHello({ ...hello, extra: true })).toBe(null);
    expect(readHello({ ...hello, origin: 42 })).toBe(null);
    expect(readHello({ ...hello, origin: 'x'.repeat(301) })).toBe(null);
    expect(readHello('hello')).toBe(null);
    expect(readHello(null)).toBe(null);
  });
});

describe('host messages', () => {
  it('reads calls and cancels', () => {
    expect(readHostMessage({ type: 'call', id: 1, method: 'availability' })).toEqual({
      type: 'call',
      id: 1,
      method: 'availability',
    });
    expect(readHostMessage({ type: 'cancel', id: 3 })).toEqual({ type: 'cancel', id: 3 });
    expect(readHostMessage(complete({ messages: turns, temperature: 0, maxTokens: 16 }))).toEqual({
      type: 'call',
      id: 7,
      method: 'complete',
      params: { messages: turns, temperature: 0, maxTokens: 16 },
    });
    // Settings may be left out.
    expect(readHostMessage(complete({ messages: turns }))).toMatchObject({
      params: { temperature: null, maxTokens: null },
    });
  });

  it('drops malformed calls', () => {
    for (const message of [
      null,
      'call',
      [],
      { type: 'call', method: 'availability' }, // no id
      { type: 'call', id: -1, method: 'availability' },
      { type: 'call', id: 1.5, method: 'availability' },
      { type: 'call', id: 2 ** 31, method: 'availability' },
      { type: 'call', id: 1, method: 'eval' },
      { type: 'call', id: 1, method: 'availability', extra: 1 },
      { type: 'cancel', id: 1, extra: 1 },
      { type: 'other', id: 1 },
      complete({ messages: [] }),
      complete({ messages: [{ role: 'tool', content: 'x' }] }),
      complete({ messages: [{ role: 'user', content: 5 }] }),
      complete({ messages: [{ role: 'user', content: 'x', name: 'n' }] }),
      complete({ messages: turns, temperature: 3 }),
      complete({ messages: turns, temperature: '0' }),
      complete({ messages: turns, maxTokens: 0 }),
      complete({ messages: turns, maxTokens: 2.5 }),
      complete({ messages: turns, stream: true }),
      complete({ messages: new Array(MAX_TURNS + 1).fill(turns[0]) }),
      complete({ messages: [{ role: 'user', content: 'x'.repeat(MAX_MESSAGE_CHARS) }] }),
      complete({ messages: [{ role: 'user', content: new Date() }] }),
    ]) {
      expect(readHostMessage(message), JSON.stringify(message).slice(0, 80)).toBe(null);
    }
  });
});

describe('widget messages', () => {
  it('reads each kind', () => {
    const welcome = {
      type: 'welcome',
      version: 1,
      model: { name: 'm', sizeBytes: null },
      storage: 'partitioned',
    };
    expect(readWidgetMessage(welcome)).toEqual(welcome);
    expect(readWidgetMessage({ type: 'attention' })).toEqual({ type: 'attention' });
    expect(readWidgetMessage({ type: 'progress', id: 1, loaded: 0.5 })).toEqual({
      type: 'progress',
      id: 1,
      loaded: 0.5,
    });
    expect(readWidgetMessage({ type: 'chunk', id: 1, content: 'a', reasoning: '' })).toBeTruthy();
    const done = {
      type: 'done',
      id: 2,
      result: {
        method: 'complete',
        completion: { text: 'a', finishReason: 'stop', promptTokens: 3, completionTokens: 1 },
      },
    };
    expect(readWidgetMessage(done)).toEqual(done);
    const failed = {
      type: 'failed',
      id: 2,
      error: {
        kind: 'context-overflow',
        message: 'Too long',
        engine: { kind: 'context-overflow', contextSize: 512 },
      },
    };
    expect(readWidgetMessage(failed)).toEqual(failed);
  });

  it('drops malformed ones', () => {
    for (const message of [
      { type: 'welcome', version: 2, model: { name: 'm', sizeBytes: null }, storage: 'shared' },
      { type: 'welcome', version: 1, model: { name: 'm', sizeBytes: -1 }, storage: 'shared' },
      { type: 'welcome', version: 1, model: { name: 'm', sizeBytes: 1 }, storage: 'cloud' },
      { type: 'progress', id: 1, loaded: 2 },
      { type: 'chunk', id: 1, content: 'a' },
      { type: 'done', id: 1, result: { method: 'availability', availability: 'maybe' } },
      { type: 'done', id: 1, result: { method: 'complete', completion: { text: 'a' } } },
      { type: 'failed', id: 1, error: { kind: 'Not A Kind', message: 'x' } },
      { type: 'failed', id: 1, error: { kind: 'internal' } },
      { type: 'chunk', content: 'a', reasoning: '' },
    ]) {
      expect(readWidgetMessage(message), JSON.stringify(message)).toBe(null);
    }
  });
});
