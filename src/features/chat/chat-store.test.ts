import { describe, expect, it } from 'vitest';
import type { GenerateRequest, GenerationResult } from '../../lib/engine-protocol.ts';
import type { EngineStore } from '../../lib/engine-store.ts';
import { createChatStore } from './chat-store.ts';

type Outcome = Awaited<ReturnType<EngineStore['generate']>>;

/** An engine store that answers with scripted tokens and records what it was asked. */
function scriptedEngine(answers: { tokens: string[]; outcome: Outcome }[]) {
  const requests: GenerateRequest[] = [];
  const engine = {
    get: () => ({ state: { status: 'ready' } }),
    generate: async (request: GenerateRequest, onToken: (text: string) => void) => {
      requests.push(request);
      const answer = answers.shift();
      if (!answer) throw new Error('no scripted answer left');
      for (const token of answer.tokens) onToken(token);
      return answer.outcome;
    },
    stop: () => undefined,
  } as unknown as EngineStore;
  return { engine, requests };
}

const ok = (text: string, finishReason: GenerationResult['finishReason'] = 'stop'): Outcome => ({
  ok: true,
  value: {
    text,
    finishReason,
    measurements: { promptTokens: 1, outputTokens: 1, prefillMs: 1, decodeMs: 1 },
  },
});

describe('chat store', () => {
  it('sends the conversation so far and streams the answer into it', async () => {
    const { engine, requests } = scriptedEngine([
      { tokens: ['Hi', ' there'], outcome: ok('Hi there') },
      { tokens: ['Fine'], outcome: ok('Fine', 'length') },
    ]);
    const chat = createChatStore(engine);
    await chat.send('Hello', 'chat');
    await chat.send('How are you?', 'chat');

    expect(requests[1]).toMatchObject({
      mode: 'chat',
      messages: [
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Hi there' },
        { role: 'user', content: 'How are you?' },
      ],
    });
    expect(chat.get().messages.map((m) => [m.role, m.text, m.status])).toEqual([
      ['user', 'Hello', 'done'],
      ['assistant', 'Hi there', 'done'],
      ['user', 'How are you?', 'done'],
      ['assistant', 'Fine', 'length'],
    ]);
  });

  it('sends only the text in completion mode', async () => {
    const { engine, requests } = scriptedEngine([{ tokens: [','], outcome: ok(', there') }]);
    const chat = createChatStore(engine);
    await chat.send('Once upon a time', 'complete');
    expect(requests[0]).toEqual({
      mode: 'complete',
      prompt: 'Once upon a time',
      sampling: chat.get().sampling,
    });
  });

  it('keeps a stopped answer and leaves a failed exchange out of the history', async () => {
    const { engine, requests } = scriptedEngine([
      { tokens: ['Once'], outcome: ok('Once', 'aborted') },
      { tokens: [], outcome: { ok: false, error: { kind: 'context-overflow', contextSize: 8 } } },
      { tokens: ['Yes'], outcome: ok('Yes') },
    ]);
    const chat = createChatStore(engine);
    await chat.send('A', 'chat');
    await chat.send('B', 'chat');
    await chat.send('C', 'chat');

    const statuses = chat
      .get()
      .messages.filter((m) => m.role === 'assistant')
      .map((m) => m.status);
    expect(statuses).toEqual(['stopped', 'error', 'done']);
    expect(chat.get().messages[3]?.error).toEqual({ kind: 'context-overflow', contextSize: 8 });
    expect(requests[2]).toMatchObject({
      messages: [
        { role: 'user', content: 'A' },
        { role: 'assistant', content: 'Once' },
        { role: 'user', content: 'C' },
      ],
    });
  });

  it('new chat empties the conversation', async () => {
    const { engine } = scriptedEngine([{ tokens: ['x'], outcome: ok('x') }]);
    const chat = createChatStore(engine);
    await chat.send('A', 'chat');
    chat.newChat();
    expect(chat.get().messages).toEqual([]);
  });
});
