import 'fake-indexeddb/auto';
import { createStore, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { errorMessage } from '../../lib/error-messages.ts';
import { openChatArchive, restoreChat, type SavedChat } from './chat-archive.ts';
import { pathTo } from './chat-tree.ts';

let stores = 0;
const freshStore = () => createStore(`chat-archive-test-${String(++stores)}`, 'chats');

/** A conversation exactly as version 1 of the app stored it: a flat list of messages. */
const v1Record = {
  version: 1,
  id: 'old',
  title: 'Soup',
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_060_000,
  messages: [
    { id: 1, role: 'user', text: 'A soup?', status: 'done' },
    { id: 2, role: 'assistant', text: 'Tomato.', status: 'done' },
    { id: 3, role: 'user', text: 'Longer?', status: 'done' },
    {
      id: 4,
      role: 'assistant',
      text: '',
      status: 'error',
      error: { kind: 'context-overflow', contextSize: 8 },
    },
    { id: 5, role: 'user', text: 'And?', status: 'done' },
    { id: 6, role: 'assistant', text: 'Then', status: 'streaming' },
  ],
};

/** A v2 record, as the current version writes it. */
const v2Record = (messages: unknown[], currentLeafId: unknown = null) => ({
  version: 2,
  id: 'c',
  title: 'T',
  createdAt: 1,
  updatedAt: 2,
  messages,
  currentLeafId,
});
const node = (id: number, parentId: number | null, role = 'user', extra = {}) => ({
  id,
  parentId,
  childIds: [],
  role,
  content: `m${String(id)}`,
  reasoning: '',
  status: 'done',
  ...extra,
});

describe('chat archive', () => {
  it('reads a v1 record as a v2 chain whose leaf is its last message', async () => {
    const store = freshStore();
    await set('old', v1Record, store);
    const [chat] = await openChatArchive(store).list();
    expect(chat).toMatchObject({ version: 2, id: 'old', title: 'Soup', currentLeafId: 6 });
    expect(chat?.messages.map((m) => [m.id, m.parentId, m.childIds, m.role, m.content])).toEqual([
      [1, null, [2], 'user', 'A soup?'],
      [2, 1, [3], 'assistant', 'Tomato.'],
      [3, 2, [4], 'user', 'Longer?'],
      [4, 3, [5], 'assistant', ''],
      [5, 4, [6], 'user', 'And?'],
      [6, 5, [], 'assistant', 'Then'],
    ]);
    expect(chat?.messages.every((m) => m.reasoning === '')).toBe(true);
    expect(chat?.messages[3]?.error).toEqual({ kind: 'context-overflow', contextSize: 8 });
    // Cut off when the tab closed.
    expect(chat?.messages[5]?.status).toBe('stopped');
  });

  it('writes v2 and reads back the same record', async () => {
    const store = freshStore();
    const archive = openChatArchive(store);
    const migrated = restoreChat(v1Record) as SavedChat;
    const chat: SavedChat = {
      ...migrated,
      messages: migrated.messages.map((m) =>
        m.role === 'assistant'
          ? {
              ...m,
              model: { key: 'gguf:https://h/m.gguf', label: 'm' },
              sampling: { temperature: 0, maxTokens: 8 },
              timings: {
                promptTokens: 3,
                outputTokens: 2,
                prefillMs: 4,
                decodeMs: 5,
                timeToFirstTokenMs: null,
              },
            }
          : m,
      ),
    };
    await archive.save(chat);
    expect(await archive.list()).toEqual([chat]);
  });

  it('keeps the stored leaf of a branched tree and rebuilds children from parent links', () => {
    const chat = restoreChat(
      v2Record(
        [
          node(1, null),
          node(2, 1, 'assistant'),
          // A stale child list is ignored: the parent links say who belongs where.
          { ...node(3, 1, 'assistant'), childIds: [99] },
        ],
        2,
      ),
    );
    expect(chat?.messages.map((m) => m.childIds)).toEqual([[2, 3], [], []]);
    expect(pathTo(chat?.messages ?? [], chat?.currentLeafId ?? null).map((m) => m.id)).toEqual([
      1, 2,
    ]);
    expect(restoreChat(v2Record([node(1, null), node(2, 1)], 42))?.currentLeafId).toBe(2);
  });

  it('returns null for a tree it cannot trust, and leaves out damaged extras', () => {
    expect(restoreChat(v2Record([node(1, null), node(1, null)]))).toBeNull(); // repeated id
    expect(restoreChat(v2Record([node(2, 1), node(1, null)]))).toBeNull(); // child before parent
    expect(restoreChat(v2Record([node(1, 1)]))).toBeNull(); // its own parent
    expect(restoreChat(v2Record([node(1, null), { ...node(2, 1), content: 3 }]))).toBeNull();
    expect(restoreChat(v2Record([node(1, null, 'system')]))).toBeNull();

    const extras = restoreChat(
      v2Record([
        node(1, null, 'assistant', {
          reasoning: 7,
          model: { key: 1 },
          sampling: 'hot',
          timings: { promptTokens: '3' },
        }),
      ]),
    );
    expect(extras?.messages).toEqual([
      {
        id: 1,
        parentId: null,
        childIds: [],
        role: 'assistant',
        content: 'm1',
        reasoning: '',
        status: 'done',
      },
    ]);
  });

  it('turns a stored error it does not know into one that renders', async () => {
    const store = freshStore();
    const failed = (id: number, parentId: number, error: unknown) =>
      node(id, parentId, 'assistant', { status: 'error', error });
    await set(
      'c',
      v2Record(
        [
          node(1, null),
          failed(2, 1, { kind: 'model-went-away', detail: 'renamed since' }),
          failed(3, 1, { kind: 'host-not-allowed', url: 'https://x.example/m.gguf' }),
          failed(4, 1, 'boom'),
          failed(5, 1, { kind: 'toString' }),
          node(6, 1, 'assistant', { status: 'error' }),
          failed(7, 1, { kind: 'busy', operation: 'generate', extra: 1 }),
        ],
        2,
      ),
      store,
    );
    const [chat] = await openChatArchive(store).list();
    const errors = chat?.messages.slice(1).map((m) => m.error) ?? [];
    expect(errors).toHaveLength(6);
    for (const error of errors.slice(0, 5)) {
      expect(error).toMatchObject({ kind: 'internal' });
      if (!error) continue;
      expect(errorMessage(error).title).toMatch(/does not recognise/);
    }
    const [renamed] = errors;
    expect(renamed?.kind === 'internal' ? renamed.detail : '').toContain('"model-went-away"');
    // A known kind whose fields check out is kept, and only its own fields.
    expect(errors[5]).toEqual({ kind: 'busy', operation: 'generate' });
  });

  it('drops an error stored on a message that did not fail', () => {
    const chat = restoreChat(
      v2Record([node(1, null, 'assistant', { error: { kind: 'cancelled' } })]),
    );
    expect(chat?.messages[0]).not.toHaveProperty('error');
  });
});
