import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { createStore, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { openChatArchive, type SavedChat } from './chat-archive.ts';

/**
 * Every shape of stored chat the app ever wrote (`__fixtures__`, each as the commit named wrote
 * it) still opens through the archive's real read path, with its content.
 */
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(
    readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;

const parents = (chat: SavedChat) => chat.messages.map((m) => m.parentId);

const versions: [name: string, writtenBy: string, check: (chat: SavedChat) => void][] = [
  [
    'chat-v1',
    '29abc09: a flat list of { text }',
    (chat) => {
      expect(parents(chat)).toEqual([null, 1, 2, 3, 4, 5]);
      expect(chat.messages[0]).toMatchObject({ content: 'Name three rivers', childIds: [2] });
      expect(chat.messages[1]).toMatchObject({ status: 'length', reasoning: '' });
      expect(chat.messages[3]?.error).toEqual({ kind: 'context-overflow', contextSize: 2048 });
      // Saved mid-answer: the tab closed while it streamed.
      expect(chat.messages[5]).toMatchObject({ content: 'The Danube', status: 'stopped' });
      expect(chat.currentLeafId).toBe(6);
      expect(chat.settings).toBeUndefined();
    },
  ],
  [
    'chat-v2-tree',
    '780df99: a message tree with reasoning, model, sampling and timings',
    (chat) => {
      expect(chat.messages[0]?.childIds).toEqual([2, 3]);
      expect(chat.currentLeafId).toBe(3);
      expect(chat.messages[2]).toMatchObject({
        content: '4',
        reasoning: 'Two and two make four.',
        sampling: { temperature: 0.7, maxTokens: 64 },
        timings: { outputTokens: 9, timeToFirstTokenMs: null },
      });
      expect(chat.messages[1]?.model?.label).toBe('stories260K-chat-q8_0');
    },
  ],
  [
    'chat-v2-renamed',
    '732050e: + reasoningMs, and renamed',
    (chat) => {
      expect(chat).toMatchObject({ title: 'Thinking test', renamed: true, currentLeafId: 2 });
      expect(chat.messages[1]).toMatchObject({ reasoningMs: 1250, status: 'stopped' });
    },
  ],
  [
    'chat-v2-settings',
    '172f9d0 (now): + the chat settings, and the system prompt and context of each answer',
    (chat) => {
      expect(chat.settings).toEqual({
        systemPrompt: 'Answer as a pirate.',
        sampling: { temperature: 0.8, maxTokens: 128, topK: 40, seed: 7 },
      });
      expect(chat.messages[3]).toMatchObject({
        systemPrompt: 'Answer as a pirate.',
        context: { promptTokens: 200, contextSize: 256, leftOutIds: [1, 2] },
      });
    },
  ],
];

let n = 0;
async function listStored(records: unknown[]) {
  const store = createStore(`chat-records-${++n}`, 'chats');
  for (const [i, record] of records.entries()) await set(`key-${i}`, record, store);
  return openChatArchive(store).list();
}

describe('stored chats of every version', () => {
  it.each(versions)('%s (written by %s) opens with its content', async (name, _, check) => {
    const stored = fixture(name);
    const [chat] = await listStored([stored]);
    expect(chat).toMatchObject({ version: 2, id: stored.id, title: stored.title });
    check(chat as SavedChat);
  });

  it('drops a damaged record and still lists the others', async () => {
    const v2 = fixture('chat-v2-tree');
    const damaged = [
      { ...fixture('chat-v1'), messages: 'not a list' },
      { ...v2, id: 'later', version: 3 },
      // A parent written after its child: a cycle or a cut record, never shown half.
      { ...v2, id: 'orphan', messages: [...(v2.messages as unknown[])].reverse() },
      null,
      'text',
    ];
    const listed = await listStored([...damaged, ...versions.map(([name]) => fixture(name))]);
    expect(listed.map((chat) => chat.title).sort()).toEqual(
      versions.map(([name]) => fixture(name).title).sort(),
    );
  });
});
