import 'fake-indexeddb/auto';
import { createStore, set } from 'idb-keyval';
import { describe, expect, it, vi } from 'vitest';
import type {
  GenerateRequest,
  GenerationResult,
  LoadedModel,
} from '../../shared/engine-protocol.ts';
import type { EngineClient } from '../../lib/engine-client.ts';
import { createEngineStore, type EngineStore } from '../../lib/engine-store.ts';
import { errorMessage } from '../../lib/error-messages.ts';
import { openChatArchive, type ChatArchive } from './chat-archive.ts';
import { createChatStore, type ChatStore } from './chat-store.ts';
import { pathTo } from './chat-tree.ts';

let stores = 0;
/** A real archive in (fake) IndexedDB, fresh for each test. */
function freshArchive() {
  const store = createStore(`chats-test-${String(++stores)}`, 'chats');
  return { store, archive: openChatArchive(store) };
}

/** The conversation as the panel shows it: the path to the current leaf. */
const shown = (chat: ChatStore) => pathTo(chat.get().messages, chat.get().currentLeafId);

type Outcome = Awaited<ReturnType<EngineStore['generate']>>;

const loaded: LoadedModel = {
  spec: { engine: 'gguf', url: 'https://h.example/tiny.gguf', label: 'tiny' },
  name: 'tiny',
  backend: { kind: 'cpu', threads: 1 },
  contextSize: 512,
  hasChatTemplate: true,
  fromStorage: true,
  sizeBytes: 1,
};

/** An engine store that answers with scripted tokens and records what it was asked. */
function scriptedEngine(answers: { tokens: string[]; outcome: Outcome }[]) {
  const requests: GenerateRequest[] = [];
  const engine = {
    get: () => ({ state: { status: 'ready', model: loaded } }),
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
    const chat = createChatStore(engine, freshArchive().archive);
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
    expect(shown(chat).map((m) => [m.role, m.content, m.status])).toEqual([
      ['user', 'Hello', 'done'],
      ['assistant', 'Hi there', 'done'],
      ['user', 'How are you?', 'done'],
      ['assistant', 'Fine', 'length'],
    ]);
  });

  it('sends only the text in completion mode', async () => {
    const { engine, requests } = scriptedEngine([{ tokens: [','], outcome: ok(', there') }]);
    const chat = createChatStore(engine, freshArchive().archive);
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
    const chat = createChatStore(engine, freshArchive().archive);
    await chat.send('A', 'chat');
    await chat.send('B', 'chat');
    await chat.send('C', 'chat');

    const statuses = shown(chat)
      .filter((m) => m.role === 'assistant')
      .map((m) => m.status);
    expect(statuses).toEqual(['stopped', 'error', 'done']);
    expect(shown(chat)[3]?.error).toEqual({ kind: 'context-overflow', contextSize: 8 });
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
    const chat = createChatStore(engine, freshArchive().archive);
    await chat.send('A', 'chat');
    chat.newChat();
    expect(shown(chat)).toEqual([]);
  });

  it('stores every exchange, and a new session reopens the latest conversation', async () => {
    const { archive } = freshArchive();
    const { engine } = scriptedEngine([
      { tokens: ['One'], outcome: ok('One') },
      { tokens: ['Two'], outcome: ok('Two') },
    ]);
    let clock = 0;
    const first = createChatStore(engine, archive, () => ++clock);
    await first.send('Older chat', 'chat');
    first.newChat();
    await first.send('Newer chat', 'chat');
    expect(first.get().saved.map((c) => c.title)).toEqual(['Newer chat', 'Older chat']);

    const reloaded = createChatStore(engine, archive);
    await reloaded.restore();
    expect(shown(reloaded).map((m) => [m.role, m.content, m.status])).toEqual([
      ['user', 'Newer chat', 'done'],
      ['assistant', 'Two', 'done'],
    ]);
    reloaded.open(reloaded.get().saved[1]?.id ?? '');
    expect(shown(reloaded).map((m) => m.content)).toEqual(['Older chat', 'One']);
  });

  it('an answer cut off by a closed tab comes back as stopped', async () => {
    const { archive } = freshArchive();
    const engine = {
      get: () => ({ state: { status: 'ready' } }),
      generate: (_: GenerateRequest, onToken: (text: string) => void) => {
        onToken('Partial');
        return new Promise<Outcome>(() => undefined); // never ends: the tab closes first
      },
      stop: () => undefined,
    } as unknown as EngineStore;
    void createChatStore(engine, archive).send('Tell me', 'chat');
    await vi.waitFor(async () => expect(await archive.list()).toHaveLength(1));

    const reloaded = createChatStore(engine, archive);
    await reloaded.restore();
    expect(shown(reloaded).map((m) => [m.role, m.status])).toEqual([
      ['user', 'done'],
      ['assistant', 'stopped'],
    ]);
  });

  it('skips damaged or unknown records instead of failing', async () => {
    const { store, archive } = freshArchive();
    await set('a', { version: 3, id: 'a', createdAt: 1, updatedAt: 1, messages: [] }, store);
    await set('a2', { version: 2, id: 'a2' }, store);
    await set('b', 'not a chat', store);
    await set(
      'c',
      { version: 1, id: 'c', createdAt: 1, updatedAt: 1, messages: [{ id: 1 }] },
      store,
    );
    await set(
      'd',
      {
        version: 1,
        id: 'd',
        title: 'Fine',
        createdAt: 1,
        updatedAt: 2,
        messages: [{ id: 1, role: 'user', text: 'hi', status: 'done' }],
      },
      store,
    );
    expect((await archive.list()).map((c) => c.id)).toEqual(['d']);
  });

  it('deletes one conversation, or all of them', async () => {
    const { archive } = freshArchive();
    const { engine } = scriptedEngine([
      { tokens: ['1'], outcome: ok('1') },
      { tokens: ['2'], outcome: ok('2') },
    ]);
    const chat = createChatStore(engine, archive);
    await chat.send('First', 'chat');
    const firstId = chat.get().chatId;
    chat.newChat();
    await chat.send('Second', 'chat');
    await chat.remove(firstId);
    expect((await archive.list()).map((c) => c.title)).toEqual(['Second']);
    expect(shown(chat)).toHaveLength(2);

    await chat.removeAll();
    expect(await archive.list()).toEqual([]);
    expect(chat.get().saved).toEqual([]);
    expect(shown(chat)).toEqual([]);
  });

  it('a full disk becomes a visible message and the conversation stays on screen', async () => {
    const full: ChatArchive = {
      list: async () => [],
      save: () => Promise.reject(new DOMException('full', 'QuotaExceededError')),
      remove: async () => undefined,
      removeAll: async () => undefined,
    };
    const { engine } = scriptedEngine([{ tokens: ['x'], outcome: ok('x') }]);
    const chat = createChatStore(engine, full);
    await chat.send('Hello', 'chat');
    expect(chat.get().saveError).toMatch(/storage is full/i);
    expect(shown(chat).map((m) => m.content)).toEqual(['Hello', 'x']);
  });
  it('records on each answer the model, the settings and the timings it was made with', async () => {
    const { engine } = scriptedEngine([{ tokens: ['Hi'], outcome: ok('Hi') }]);
    const chat = createChatStore(engine, freshArchive().archive);
    chat.set((s) => ({ ...s, sampling: { temperature: 0, maxTokens: 16 } }));
    await chat.send('Hello', 'chat');
    const [question, answer] = shown(chat);
    expect(question).not.toHaveProperty('model');
    expect(answer).toMatchObject({
      reasoning: '',
      model: { key: 'gguf:https://h.example/tiny.gguf', label: 'tiny' },
      sampling: { temperature: 0, maxTokens: 16 },
      timings: { promptTokens: 1, outputTokens: 1, prefillMs: 1, decodeMs: 1 },
    });
    expect(answer?.timings?.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
  });

  it('answers after the version shown, with a history of its content only', async () => {
    const { store, archive } = freshArchive();
    const message = (id: number, parentId: number | null, role: string, content: string) => ({
      id,
      parentId,
      childIds: [],
      role,
      content,
      reasoning: role === 'assistant' ? 'thinking that stays here' : '',
      status: 'done',
    });
    // "Hi" answered twice: "Old answer", then "New answer" (regenerated), which is shown.
    await set(
      'branched',
      {
        version: 2,
        id: 'branched',
        title: 'Hi',
        createdAt: 1,
        updatedAt: 1,
        messages: [
          message(1, null, 'user', 'Hi'),
          message(2, 1, 'assistant', 'Old answer'),
          message(3, 2, 'user', 'More'),
          message(4, 3, 'assistant', 'Old more'),
          message(5, 1, 'assistant', 'New answer'),
        ],
        currentLeafId: 5,
      },
      store,
    );
    const { engine, requests } = scriptedEngine([
      { tokens: ['A'], outcome: ok('A') },
      { tokens: ['B'], outcome: ok('B') },
    ]);
    const chat = createChatStore(engine, archive);
    await chat.restore();
    await chat.send('Next', 'chat');
    expect(requests[0]).toMatchObject({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'New answer' },
        { role: 'user', content: 'Next' },
      ],
    });
    expect(JSON.stringify(requests)).not.toContain('thinking');

    // Back to the first answer: its newest continuation is shown, and the next turn follows it.
    chat.switchTo(2);
    expect(shown(chat).map((m) => m.content)).toEqual(['Hi', 'Old answer', 'More', 'Old more']);
    await chat.send('Again', 'chat');
    expect(requests[1]).toMatchObject({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Old answer' },
        { role: 'user', content: 'More' },
        { role: 'assistant', content: 'Old more' },
        { role: 'user', content: 'Again' },
      ],
    });
    const reloaded = createChatStore(engine, archive);
    await reloaded.restore();
    expect(shown(reloaded).map((m) => m.content)).toEqual(shown(chat).map((m) => m.content));
    expect(reloaded.get().messages).toHaveLength(9);
  });

  it('reopens a chat whose stored error this version does not know', async () => {
    const { store, archive } = freshArchive();
    await set(
      'old',
      {
        version: 1,
        id: 'old',
        title: 'Hi',
        createdAt: 1,
        updatedAt: 1,
        messages: [
          { id: 1, role: 'user', text: 'Hi', status: 'done' },
          {
            id: 2,
            role: 'assistant',
            text: '',
            status: 'error',
            error: { kind: 'wasm-crashed', detail: 'a kind renamed since' },
          },
        ],
      },
      store,
    );
    const { engine } = scriptedEngine([]);
    const chat = createChatStore(engine, archive);
    await chat.restore();
    const error = shown(chat)[1]?.error;
    expect(error?.kind).toBe('internal');
    if (error) expect(errorMessage(error).title).toMatch(/"wasm-crashed".*not recognise/);
  });

  it('starts the engine run at Send, not after the chat is stored', async () => {
    const client = {
      probe: async () => ({
        gpu: { status: 'no-adapter' },
        wasm: { simd: true, exceptions: true, jspi: true, memory64: true },
        logicalCores: 1,
        deviceMemoryGiB: 1,
      }),
      listStored: async () => [],
      current: async () => loaded,
      load: async () => ({ ok: true, value: loaded }),
      generate: async () => ok('Hi'),
    } satisfies Partial<EngineClient> as unknown as EngineClient;
    const engine = createEngineStore(client, { adapterRecheckMs: [] });
    await engine.start();
    await engine.load(loaded.spec, { backend: 'auto' });
    const slow = openChatArchive(freshArchive().store);
    const slowArchive: ChatArchive = {
      ...slow,
      save: (chat) =>
        new Promise((resolve) => setTimeout(resolve, 300)).then(() => slow.save(chat)),
    };
    const chat = createChatStore(engine, slowArchive);

    const sendAt = performance.now();
    await chat.send('Hello', 'chat');
    const [run] = engine.get().runs;
    expect(run?.sentAt).toBeGreaterThanOrEqual(sendAt);
    expect((run?.sentAt ?? Infinity) - sendAt).toBeLessThan(20);
    // The save still happened, with the finished answer.
    const [stored] = await slow.list();
    expect(stored?.messages.map((m) => [m.content, m.status])).toEqual([
      ['Hello', 'done'],
      ['Hi', 'done'],
    ]);
  });
});
