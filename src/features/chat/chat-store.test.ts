import 'fake-indexeddb/auto';
import { createStore, set } from 'idb-keyval';
import { describe, expect, it, vi } from 'vitest';
import type {
  ContextUse,
  EngineApi,
  EngineError,
  GenerateRequest,
  ModelSpec,
} from '../../shared/engine-protocol.ts';
import { createEngineClient, inThread } from '../../lib/engine-client.ts';
import { createEngineStore } from '../../lib/engine-store.ts';
import { createPreferenceStore, memoryPreferences } from '../../lib/preferences.ts';
import { createRunLog } from '../../lib/run-log.ts';
import { createFakeEngineApi } from '../../lib/testing/fake-engine-api.ts';
import type { ThinkingSupport } from '../../shared/thinking.ts';
import { errorMessage } from '../../lib/error-messages.ts';
import {
  memoryChatArchive,
  openChatArchive,
  type ChatArchive,
  type SavedChat,
} from './chat-archive.ts';
import { chatsAsJson } from './chat-export.ts';
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

/** How a scripted answer ends: the pieces streamed, then `stop`, `length` or an error. */
type Ending = ({ finishReason: 'stop' | 'length' } | { error: EngineError }) & {
  context?: ContextUse;
};
const ok = (finishReason: 'stop' | 'length' = 'stop'): Ending => ({ finishReason });

const spec: ModelSpec = { engine: 'gguf', url: 'https://h.example/tiny.gguf', label: 'tiny' };

/**
 * The real engine store and client over the fake engine API, with a model loaded, answering
 * with scripted pieces; `requests` records what each run was asked.
 */
async function scriptedEngine(
  answers: { tokens: string[]; end: Ending }[],
  tokenDelayMs = 0,
  thinking?: ThinkingSupport,
) {
  const api = createFakeEngineApi({
    runs: answers.map(({ tokens, end }) => ({ pieces: tokens, ...end })),
    tokenDelayMs,
    ...(thinking && { thinking }),
  });
  const requests: GenerateRequest[] = [];
  const spying: EngineApi = {
    ...api,
    generate: (request, port) => {
      requests.push(request);
      return api.generate(request, port);
    },
  };
  const runs = createRunLog();
  const engine = createEngineStore(createEngineClient(inThread(spying)), {
    runs,
    preferences: createPreferenceStore(memoryPreferences()),
    adapterRecheckMs: [],
  });
  await engine.start();
  await engine.load(spec);
  return { engine, requests, runs };
}

describe('chat store', () => {
  it('sends the conversation so far and streams the answer into it', async () => {
    const { engine, requests } = await scriptedEngine([
      { tokens: ['Hi', ' there'], end: ok() },
      { tokens: ['Fine'], end: ok('length') },
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

  it('sends a system prompt first in every chat request, and keeps an in-memory archive', async () => {
    const { engine, requests } = await scriptedEngine([
      { tokens: ['Hi'], end: ok() },
      { tokens: ['Sure'], end: ok() },
    ]);
    const archive = memoryChatArchive();
    const chat = createChatStore(engine, archive, Date.now, () => ({
      systemPrompt: 'Be brief.',
      contextPolicy: 'drop-oldest',
    }));
    await chat.send('Hello', 'chat');
    await chat.send('More?', 'chat');
    expect(requests[1]).toMatchObject({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Hi' },
        { role: 'user', content: 'More?' },
      ],
    });
    // The system prompt is never shown as a message.
    expect(shown(chat).map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect((await archive.list()).map((c) => c.messages.length)).toEqual([4]);
    chat.newChat();
    await chat.send('Again', 'complete');
    await archive.removeAll();
    expect(await archive.list()).toEqual([]);
  });

  it('sends only the text in completion mode', async () => {
    const { engine, requests } = await scriptedEngine([{ tokens: [','], end: ok() }]);
    const chat = createChatStore(engine, freshArchive().archive);
    await chat.send('Once upon a time', 'complete');
    expect(requests[0]).toEqual({
      mode: 'complete',
      prompt: 'Once upon a time',
      sampling: chat.get().sampling,
    });
  });

  it('keeps a stopped answer and leaves a failed exchange out of the history', async () => {
    const { engine, requests } = await scriptedEngine(
      [
        { tokens: ['Once', ' upon', ' a time'], end: ok() },
        {
          tokens: [],
          end: { error: { kind: 'context-overflow', contextSize: 8 } },
        },
        { tokens: ['Yes'], end: ok() },
      ],
      50,
    );
    const chat = createChatStore(engine, freshArchive().archive);
    // Stop as soon as the first piece is shown.
    const unsubscribe = chat.subscribe(() => {
      if (shown(chat)[1]?.content === 'Once') chat.stop();
    });
    await chat.send('A', 'chat');
    unsubscribe();
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
    const { engine } = await scriptedEngine([{ tokens: ['x'], end: ok() }]);
    const chat = createChatStore(engine, freshArchive().archive);
    await chat.send('A', 'chat');
    chat.newChat();
    expect(shown(chat)).toEqual([]);
  });

  it('stores every exchange, and a new session reopens the latest conversation', async () => {
    const { archive } = freshArchive();
    const { engine } = await scriptedEngine([
      { tokens: ['One'], end: ok() },
      { tokens: ['Two'], end: ok() },
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
    // The second piece would come after a minute: the tab closes first.
    const { engine } = await scriptedEngine([{ tokens: ['Partial', ' never'], end: ok() }], 60_000);
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
    const { engine } = await scriptedEngine([
      { tokens: ['1'], end: ok() },
      { tokens: ['2'], end: ok() },
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

  it('renames a conversation, open or not, and keeps the name across answers and sessions', async () => {
    const { archive } = freshArchive();
    const { engine } = await scriptedEngine([
      { tokens: ['1'], end: ok() },
      { tokens: ['2'], end: ok() },
      { tokens: ['3'], end: ok() },
    ]);
    let clock = 0;
    const chat = createChatStore(engine, archive, () => ++clock);
    await chat.send('First question', 'chat');
    const firstId = chat.get().chatId;
    chat.newChat();
    await chat.send('Second question', 'chat');

    await chat.rename(chat.get().chatId, '  Open   one ');
    await chat.send('More', 'chat');
    await chat.rename(firstId, 'Closed one');
    // A rename does not move a conversation up the list.
    expect(chat.get().saved.map((c) => c.title)).toEqual(['Open one', 'Closed one']);

    const reloaded = createChatStore(engine, archive);
    await reloaded.restore();
    expect(reloaded.get().saved.map((c) => [c.title, c.renamed])).toEqual([
      ['Open one', true],
      ['Closed one', true],
    ]);
    await reloaded.rename(firstId, '');
    expect(reloaded.get().saved.map((c) => c.title)).toEqual(['Open one', 'First question']);
    const unnamed = (await archive.list()).find((c) => c.id === firstId);
    expect(unnamed?.title).toBe('First question');
    expect(unnamed?.renamed).toBeUndefined();
  });

  it('a full disk becomes a visible message and the conversation stays on screen', async () => {
    const full: ChatArchive = {
      list: async () => [],
      save: () => Promise.reject(new DOMException('full', 'QuotaExceededError')),
      saveAll: () => Promise.reject(new DOMException('full', 'QuotaExceededError')),
      remove: async () => undefined,
      removeAll: async () => undefined,
    };
    const { engine } = await scriptedEngine([{ tokens: ['x'], end: ok() }]);
    const chat = createChatStore(engine, full);
    await chat.send('Hello', 'chat');
    expect(chat.get().saveError).toMatch(/storage is full/i);
    expect(shown(chat).map((m) => m.content)).toEqual(['Hello', 'x']);
  });
  it('records on each answer the model, the settings and the timings it was made with', async () => {
    const { engine } = await scriptedEngine([{ tokens: ['Hi'], end: ok() }]);
    const chat = createChatStore(engine, freshArchive().archive);
    chat.set((s) => ({ ...s, sampling: { temperature: 0, maxTokens: 16 } }));
    await chat.send('Hello', 'chat');
    const [question, answer] = shown(chat);
    expect(question).not.toHaveProperty('model');
    expect(answer).toMatchObject({
      reasoning: '',
      model: { key: 'gguf:https://h.example/tiny.gguf', label: 'tiny' },
      sampling: { temperature: 0, maxTokens: 16 },
      timings: { promptTokens: 4, outputTokens: 1, prefillMs: 10, decodeMs: 5 }, // the fake's
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
    const { engine, requests } = await scriptedEngine([
      { tokens: ['A'], end: ok() },
      { tokens: ['B'], end: ok() },
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
    const { engine } = await scriptedEngine([]);
    const chat = createChatStore(engine, archive);
    await chat.restore();
    const error = shown(chat)[1]?.error;
    expect(error?.kind).toBe('internal');
    if (error) expect(errorMessage(error).title).toMatch(/"wasm-crashed".*not recognise/);
  });

  it('starts the engine run at Send, not after the chat is stored', async () => {
    const { engine, runs } = await scriptedEngine([{ tokens: ['Hi'], end: ok() }]);
    const slow = openChatArchive(freshArchive().store);
    const slowArchive: ChatArchive = {
      ...slow,
      save: (chat) =>
        new Promise((resolve) => setTimeout(resolve, 300)).then(() => slow.save(chat)),
    };
    const chat = createChatStore(engine, slowArchive);

    const sendAt = performance.now();
    await chat.send('Hello', 'chat');
    const [run] = runs.get();
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

describe('chat store: reasoning', () => {
  it('streams thinking apart from the answer and never sends it back', async () => {
    const { engine, requests } = await scriptedEngine(
      [
        { tokens: ['<th', 'ink>\nThe user', ' greets me.</th', 'ink>\n\nHel', 'lo!'], end: ok() },
        { tokens: ['Fine'], end: ok() },
      ],
      10, // a frame's worth of time between pieces, so each one is seen on its own
    );
    const chat = createChatStore(engine, freshArchive().archive);
    const seen: [string, string][] = [];
    const unsubscribe = chat.subscribe(() => {
      const answer = shown(chat)[1];
      if (answer) seen.push([answer.reasoning, answer.content]);
    });
    await chat.send('Hi', 'chat');
    unsubscribe();
    await chat.send('How are you?', 'chat');

    // While streaming, no tag or part of one was ever shown on either side.
    expect(seen.flat().some((text) => /<|>/.test(text))).toBe(false);
    expect(seen).toContainEqual(['The user greets me.', '']);
    const answer = shown(chat)[1];
    expect([answer?.reasoning, answer?.content]).toEqual(['The user greets me.', 'Hello!']);
    expect(answer?.reasoningMs).toEqual(expect.any(Number));
    expect(requests[1]).toMatchObject({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'How are you?' },
      ],
    });
    expect(JSON.stringify(requests[1])).not.toMatch(/greets|think/);
  });

  it('a template that opens the reasoning: the answer starts after </think>', async () => {
    const { engine } = await scriptedEngine(
      [{ tokens: ['Two and two', '.</think>', '4'], end: ok() }],
      0,
      { switchable: false, startsInReasoning: true },
    );
    const chat = createChatStore(engine, freshArchive().archive);
    await chat.send('2+2?', 'chat');
    expect(shown(chat)[1]).toMatchObject({ reasoning: 'Two and two.', content: '4' });
  });

  it('a block that never closes stays reasoning, timed to the end of the run', async () => {
    const { engine } = await scriptedEngine([
      { tokens: ['<think>Let me', ' count'], end: ok('length') },
    ]);
    const { archive } = freshArchive();
    const chat = createChatStore(engine, archive);
    await chat.send('Count', 'chat');
    expect(shown(chat)[1]).toMatchObject({
      reasoning: 'Let me count',
      content: '',
      status: 'length',
      reasoningMs: expect.any(Number) as number,
    });
    // The reasoning and its time are stored with the chat.
    const [stored] = await archive.list();
    expect(stored?.messages[1]).toMatchObject({ reasoning: 'Let me count', content: '' });
    expect(stored?.messages[1]?.reasoningMs).toEqual(shown(chat)[1]?.reasoningMs);
  });

  it('completion mode continues the text as written: tags are text', async () => {
    const { engine } = await scriptedEngine([{ tokens: ['<think>a</think>b'], end: ok() }]);
    const chat = createChatStore(engine, freshArchive().archive);
    await chat.send('x', 'complete');
    expect(shown(chat)[1]).toMatchObject({ reasoning: '', content: '<think>a</think>b' });
  });

  it('sends the thinking switch only to a model whose template has one', async () => {
    const switchable = await scriptedEngine([{ tokens: ['a'], end: ok() }], 0, {
      switchable: true,
      startsInReasoning: false,
    });
    const chat = createChatStore(switchable.engine, freshArchive().archive);
    chat.set((s) => ({ ...s, thinking: false }));
    await chat.send('Hi', 'chat');
    expect(switchable.requests[0]).toMatchObject({ thinking: false });

    const plain = await scriptedEngine([{ tokens: ['a'], end: ok() }]);
    const other = createChatStore(plain.engine, freshArchive().archive);
    other.set((s) => ({ ...s, thinking: false }));
    await other.send('Hi', 'chat');
    expect(plain.requests[0]).not.toHaveProperty('thinking');
  });
});

describe('chat store: import', () => {
  /** A stored chat of one exchange, as the archive holds it. */
  const savedChat = (id: string, title: string): SavedChat => ({
    version: 2,
    id,
    title,
    createdAt: 1,
    updatedAt: 2,
    messages: [
      {
        id: 1,
        parentId: null,
        childIds: [2],
        role: 'user',
        content: title,
        reasoning: '',
        status: 'done',
      },
      {
        id: 2,
        parentId: 1,
        childIds: [],
        role: 'assistant',
        content: 'ok',
        reasoning: 'hm',
        status: 'done',
      },
    ],
    currentLeafId: 2,
  });
  const exportFile = (chats: SavedChat[]) => new Blob([chatsAsJson(chats)]);

  it('adds the chats of an export, with new ids where they collide', async () => {
    const { engine } = await scriptedEngine([]);
    const { archive } = freshArchive();
    await archive.save(savedChat('mine', 'Mine'));
    const chat = createChatStore(engine, archive);
    await chat.restore();

    const report = await chat.importChats(
      exportFile([savedChat('mine', 'Theirs'), savedChat('new', 'New')]),
    );
    expect(report).toEqual({ ok: true, added: 2, alreadyStored: 0 });
    const titles = (await archive.list()).map((c) => c.title).sort();
    expect(titles).toEqual(['Mine', 'New', 'Theirs']);
    expect(
      chat
        .get()
        .saved.map((c) => c.title)
        .sort(),
    ).toEqual(titles);
    expect(new Set((await archive.list()).map((c) => c.id)).size).toBe(3);

    // The same file again adds nothing.
    const again = await chat.importChats(exportFile([savedChat('new', 'New')]));
    expect(again).toEqual({ ok: true, added: 0, alreadyStored: 1 });
    expect(await archive.list()).toHaveLength(3);
  });

  it('a refused file changes nothing and says why', async () => {
    const { engine } = await scriptedEngine([]);
    const { archive } = freshArchive();
    await archive.save(savedChat('mine', 'Mine'));
    const chat = createChatStore(engine, archive);
    await chat.restore();
    const before = chat.get();

    const broken = { ...savedChat('bad', 'Bad'), currentLeafId: 9 };
    const report = await chat.importChats(exportFile([savedChat('good', 'Good'), broken]));
    expect(report).toEqual({
      ok: false,
      reason: expect.stringMatching(/Chat 2 \("Bad"\)/) as string,
    });
    expect(await chat.importChats(new Blob(['not json']))).toMatchObject({ ok: false });
    const huge = { size: 50_000_000, text: () => Promise.reject(new Error('must not be read')) };
    expect(await chat.importChats(huge as unknown as Blob)).toEqual({
      ok: false,
      reason: expect.stringMatching(/larger than 32 MB/) as string,
    });
    expect((await archive.list()).map((c) => c.id)).toEqual(['mine']);
    expect(chat.get()).toBe(before);
  });

  it('storage that refuses the chats leaves none of them stored', async () => {
    const { engine } = await scriptedEngine([]);
    const { archive } = freshArchive();
    const full: ChatArchive = {
      ...archive,
      saveAll: () => Promise.reject(new DOMException('full', 'QuotaExceededError')),
    };
    const chat = createChatStore(engine, full);
    const report = await chat.importChats(exportFile([savedChat('a', 'A')]));
    expect(report).toEqual({
      ok: false,
      reason: expect.stringMatching(/storage is full/) as string,
    });
    expect(await archive.list()).toEqual([]);
    expect(chat.get().saved).toEqual([]);
  });
});

describe('conversation controls', () => {
  const sentMessages = (request: GenerateRequest | undefined) =>
    request?.mode === 'chat' ? request.messages.map((m) => `${m.role}:${m.content}`) : [];

  it('regenerates an answer beside the old one; switching shows each', async () => {
    const { engine, requests } = await scriptedEngine([
      { tokens: ['First'], end: ok() },
      { tokens: ['Second'], end: ok() },
    ]);
    const chat = createChatStore(engine, freshArchive().archive);
    await chat.send('Hello', 'chat');
    const firstId = shown(chat)[1]?.id ?? -1;
    await chat.regenerate(firstId, 'chat');

    expect(sentMessages(requests[1])).toEqual(['user:Hello']);
    expect(shown(chat).map((m) => m.content)).toEqual(['Hello', 'Second']);
    chat.switchTo(firstId);
    expect(shown(chat).map((m) => m.content)).toEqual(['Hello', 'First']);
    expect(chat.get().messages).toHaveLength(3);
  });

  it('an edit starts a branch and the old one stays reachable', async () => {
    const { engine, requests } = await scriptedEngine([
      { tokens: ['A1'], end: ok() },
      { tokens: ['A2'], end: ok() },
      { tokens: ['A2 edited'], end: ok() },
    ]);
    const chat = createChatStore(engine, freshArchive().archive);
    await chat.send('Q1', 'chat');
    await chat.send('Q2', 'chat');
    const q2 = shown(chat)[2]?.id ?? -1;
    await chat.edit(q2, 'Q2 edited', 'chat');

    expect(sentMessages(requests[2])).toEqual(['user:Q1', 'assistant:A1', 'user:Q2 edited']);
    expect(shown(chat).map((m) => m.content)).toEqual(['Q1', 'A1', 'Q2 edited', 'A2 edited']);
    chat.switchTo(q2);
    expect(shown(chat).map((m) => m.content)).toEqual(['Q1', 'A1', 'Q2', 'A2']);
  });

  it('deletes a message with what follows it, also from storage', async () => {
    const { engine } = await scriptedEngine([
      { tokens: ['A1'], end: ok() },
      { tokens: ['A2'], end: ok() },
    ]);
    const { archive } = freshArchive();
    const chat = createChatStore(engine, archive);
    await chat.send('Q1', 'chat');
    await chat.send('Q2', 'chat');
    chat.removeMessage(shown(chat)[2]?.id ?? -1);
    expect(shown(chat).map((m) => m.content)).toEqual(['Q1', 'A1']);
    chat.removeMessage(shown(chat)[0]?.id ?? -1);
    expect(shown(chat)).toEqual([]);
    await vi.waitFor(async () => expect(await archive.list()).toEqual([]));
  });

  it('sends the chat’s system prompt first, asks for the context policy, and stores both settings', async () => {
    const { engine, requests } = await scriptedEngine([{ tokens: ['Ok'], end: ok() }]);
    const { archive } = freshArchive();
    const chat = createChatStore(engine, archive, Date.now, () => ({
      systemPrompt: 'Be brief.',
      contextPolicy: 'stop',
    }));
    expect(chat.get().systemPrompt).toBe('Be brief.');
    chat.setSettings({ sampling: { temperature: 0, maxTokens: 64, topK: 20, seed: 7 } });
    await chat.send('Hi', 'chat');

    expect(requests[0]).toMatchObject({
      fit: 'stop',
      sampling: { temperature: 0, maxTokens: 64, topK: 20, seed: 7 },
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(shown(chat)[1]).toMatchObject({ systemPrompt: 'Be brief.', sampling: { seed: 7 } });
    const [stored] = await archive.list();
    expect(stored?.settings).toEqual({
      systemPrompt: 'Be brief.',
      sampling: { temperature: 0, maxTokens: 64, topK: 20, seed: 7 },
    });
  });

  it('records which messages the engine left out to fit the context', async () => {
    const { engine } = await scriptedEngine([
      { tokens: ['A1'], end: ok() },
      { tokens: ['A2'], end: ok() },
      {
        tokens: ['A3'],
        end: {
          finishReason: 'stop',
          context: { promptTokens: 90, contextSize: 128, droppedMessages: 2 },
        },
      },
    ]);
    const chat = createChatStore(engine, freshArchive().archive);
    chat.setSettings({ systemPrompt: 'System' });
    await chat.send('Q1', 'chat');
    await chat.send('Q2', 'chat');
    await chat.send('Q3', 'chat');
    const path = shown(chat);
    expect(path.at(-1)?.context).toEqual({
      promptTokens: 90,
      contextSize: 128,
      leftOutIds: [path[0]?.id, path[1]?.id],
    });
  });

  it('opens a chat stored before chats had settings with the defaults and no system prompt', async () => {
    const { engine } = await scriptedEngine([]);
    const { store, archive } = freshArchive();
    await set(
      'old',
      {
        version: 2,
        id: 'old',
        title: 'Old',
        createdAt: 1,
        updatedAt: 2,
        messages: [
          { id: 1, parentId: null, role: 'user', content: 'Q', status: 'done' },
          {
            id: 2,
            parentId: 1,
            role: 'assistant',
            content: 'A',
            status: 'done',
            sampling: { temperature: 0.2, maxTokens: 9 },
          },
        ],
        currentLeafId: 2,
      },
      store,
    );
    const chat = createChatStore(engine, archive, Date.now, () => ({
      systemPrompt: 'New default',
      contextPolicy: 'drop-oldest',
    }));
    await chat.restore();
    expect(chat.get()).toMatchObject({
      chatId: 'old',
      systemPrompt: '',
      sampling: { temperature: 0.7 },
    });
    expect(shown(chat)[1]?.sampling).toEqual({ temperature: 0.2, maxTokens: 9 });
  });
});
