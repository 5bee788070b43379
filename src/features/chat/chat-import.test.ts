import { describe, expect, it } from 'vitest';
import type { SavedChat } from './chat-archive.ts';
import { chatsAsJson } from './chat-export.ts';
import { IMPORT_LIMITS, mergeImported, readChatExport, sizeProblem } from './chat-import.ts';

const message = (id: number, parentId: number | null, childIds: number[], content: string) => ({
  id,
  parentId,
  childIds,
  role: parentId === null || id % 2 === 1 ? 'user' : 'assistant',
  content,
  reasoning: id % 2 === 0 ? 'thoughts' : '',
  status: 'done',
});

/** A version 2 chat as the app stores and exports it: a question with two answers. */
const v2Chat = (id = 'a', title = 'Hello') => ({
  version: 2,
  id,
  title,
  createdAt: 1,
  updatedAt: 2,
  messages: [
    message(1, null, [2, 4], 'Hi'),
    message(2, 1, [], 'First answer'),
    message(4, 1, [], 'Second answer'),
  ],
  currentLeafId: 4,
});

const v1Chat = {
  version: 1,
  id: 'old',
  title: 'Old',
  createdAt: 1,
  updatedAt: 1,
  messages: [
    { id: 1, role: 'user', text: 'Hi', status: 'done' },
    { id: 2, role: 'assistant', text: 'Hello', status: 'done' },
  ],
};

const file = (...chats: unknown[]) => JSON.stringify({ app: 'tab-llm', exportedAt: 'x', chats });

/** The reason a file is refused; fails the test when it is accepted. */
function refusal(text: string): string {
  const check = readChatExport(text);
  if (check.ok) throw new Error('the file was accepted');
  return check.reason;
}

/** A chat with one field of one message replaced. */
function withMessage(change: (m: ReturnType<typeof message>[]) => unknown[]) {
  const chat = v2Chat();
  return { ...chat, messages: change(chat.messages) };
}

describe('reading a chat export', () => {
  it('reads what "Export all" wrote, unchanged', () => {
    const check = readChatExport(file(v2Chat()));
    if (!check.ok) throw new Error(check.reason);
    const [read] = check.chats;
    const again = readChatExport(chatsAsJson(check.chats));
    expect(again).toEqual({ ok: true, chats: [read] });
    expect(read?.messages.map((m) => [m.id, m.parentId, m.childIds, m.reasoning])).toEqual([
      [1, null, [2, 4], ''],
      [2, 1, [], 'thoughts'],
      [4, 1, [], 'thoughts'],
    ]);
    expect(read?.currentLeafId).toBe(4);
  });

  it('reads version 1 chats as version 2 chains', () => {
    const check = readChatExport(file(v1Chat));
    if (!check.ok) throw new Error(check.reason);
    expect(check.chats[0]?.version).toBe(2);
    expect(check.chats[0]?.messages.map((m) => [m.id, m.parentId, m.content])).toEqual([
      [1, null, 'Hi'],
      [2, 1, 'Hello'],
    ]);
  });

  it('refuses what is not a chat export', () => {
    expect(refusal('')).toMatch(/not JSON/);
    expect(refusal('{"app": "tab-llm", "chats": [')).toMatch(/not JSON/);
    expect(refusal('[]')).toMatch(/not a Tab LLM chat export/);
    expect(refusal('"text"')).toMatch(/not a Tab LLM chat export/);
    expect(refusal(JSON.stringify({ app: 'other', chats: [] }))).toMatch(/not a Tab LLM/);
    expect(refusal(JSON.stringify({ app: 'tab-llm', chats: {} }))).toMatch(/not a Tab LLM/);
    expect(refusal(file())).toMatch(/holds no chats/);
  });

  it('refuses unknown versions, wrong types and missing fields, naming the chat', () => {
    expect(refusal(file(v2Chat(), { ...v2Chat('b', 'Later'), version: 3 }))).toMatch(
      /Chat 2 \("Later"\) has version 3; this app reads versions 1 and 2/,
    );
    expect(refusal(file({ ...v2Chat(), version: '2' }))).toMatch(/no known version/);
    expect(refusal(file(42))).toMatch(/Chat 1 is not a chat record/);
    expect(refusal(file({ ...v2Chat(), id: 7 }))).toMatch(/no usable id/);
    expect(refusal(file({ ...v2Chat(), id: '' }))).toMatch(/no usable id/);
    expect(refusal(file({ ...v2Chat(), messages: 'none' }))).toMatch(/no list of messages/);
    expect(refusal(file({ ...v2Chat(), createdAt: 'yesterday' }))).toMatch(/damaged/);
    const noRole = withMessage(([a, b, c]) => [a, { ...b, role: 'system' }, c]);
    expect(refusal(file(noRole))).toMatch(/lacks its role, text or status/);
    const numberText = withMessage(([a, b, c]) => [a, { ...b, content: 5 }, c]);
    expect(refusal(file(numberText))).toMatch(/damaged/);
    const stringId = withMessage(([a, b, c]) => [a, { ...b, id: '2' }, c]);
    expect(refusal(file(stringId))).toMatch(/no whole-number id/);
    expect(refusal(file({ ...v1Chat, messages: [{ id: 1.5, role: 'user', text: 'x' }] }))).toMatch(
      /no whole-number id/,
    );
  });

  it('refuses duplicate ids, of messages and of chats', () => {
    const twice = withMessage(([a, b]) => [a, b, { ...b }]);
    expect(refusal(file(twice))).toMatch(/two messages share the id 2/);
    const v1Twice = { ...v1Chat, messages: [v1Chat.messages[0], v1Chat.messages[0]] };
    expect(refusal(file(v1Twice))).toMatch(/two messages share an id/);
    expect(refusal(file(v2Chat('same'), v2Chat('same', 'Other')))).toMatch(
      /Two chats in the file share the id same/,
    );
  });

  it('refuses broken trees: dangling links, cycles, children that disagree, a missing leaf', () => {
    const dangling = withMessage(([a, b, c]) => [a, b, { ...c, parentId: 99 }]);
    expect(refusal(file(dangling))).toMatch(/points to a parent \(99\) that is not in the chat/);
    const cycle = {
      ...v2Chat(),
      messages: [message(1, 2, [2], 'a'), message(2, 1, [1], 'b')],
      currentLeafId: 2,
    };
    expect(refusal(file(cycle))).toMatch(/parent links form a cycle/);
    const selfParent = { ...v2Chat(), messages: [message(1, 1, [1], 'a')], currentLeafId: 1 };
    expect(refusal(file(selfParent))).toMatch(/cycle/);
    const danglingChild = withMessage(([a, b, c]) => [{ ...a, childIds: [2, 4, 77] }, b, c]);
    expect(refusal(file(danglingChild))).toMatch(/children disagree with the parent links/);
    const forgottenChild = withMessage(([a, b, c]) => [{ ...a, childIds: [2] }, b, c]);
    expect(refusal(file(forgottenChild))).toMatch(/children disagree/);
    const repeatedChild = withMessage(([a, b, c]) => [{ ...a, childIds: [2, 2, 4] }, b, c]);
    expect(refusal(file(repeatedChild))).toMatch(/children disagree/);
    const noChildren = withMessage(([a, b, c]) => [a, { ...b, childIds: null }, c]);
    expect(refusal(file(noChildren))).toMatch(/no list of children/);
    expect(refusal(file({ ...v2Chat(), currentLeafId: 3 }))).toMatch(/shows is not in the chat/);
  });

  it('refuses prototype keys anywhere in the file', () => {
    const polluted = '{"app":"tab-llm","chats":[],"__proto__":{"polluted":true}}';
    expect(refusal(polluted)).toMatch(/the key "__proto__"/);
    const deep = file(
      withMessage(([a, b, c]) => [
        a,
        { ...b, model: JSON.parse('{"constructor":{"prototype":{"x":1}}}') as unknown },
        c,
      ]),
    );
    expect(refusal(deep)).toMatch(/the key "constructor"/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses huge strings, huge lists and deep nesting without overflowing the stack', () => {
    const longText = withMessage(([a, b, c]) => [
      a,
      { ...b, content: 'x'.repeat(IMPORT_LIMITS.textChars + 1) },
      c,
    ]);
    expect(refusal(file(longText))).toMatch(/a text longer than/);
    const manyChats = Array.from({ length: IMPORT_LIMITS.listItems + 1 }, () => 0);
    expect(refusal(JSON.stringify({ app: 'tab-llm', chats: manyChats }))).toMatch(
      /a list of more than/,
    );
    const wide = Object.fromEntries(
      Array.from({ length: IMPORT_LIMITS.listItems + 1 }, (_, i) => [`k${String(i)}`, i]),
    );
    expect(refusal(JSON.stringify({ app: 'tab-llm', chats: [], wide }))).toMatch(/list of more/);
    const depth = 100_000;
    const nested = `{"app":"tab-llm","chats":[],"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expect(refusal(nested)).toMatch(/nested far deeper/);
  });

  it('refuses a file over the size limit, before and after reading it', () => {
    const fiftyMb = 50_000_000;
    expect(sizeProblem(fiftyMb)).toMatch(/larger than 32 MB/);
    expect(sizeProblem(IMPORT_LIMITS.bytes)).toBeNull();
    // A 50 MB text, as a file's contents would be: refused without parsing it.
    const huge = ' '.repeat(fiftyMb);
    expect(refusal(huge)).toMatch(/larger than 32 MB/);
  });
});

describe('merging imported chats with the stored ones', () => {
  const stored = (id: string, title: string): SavedChat => {
    const check = readChatExport(file(v2Chat(id, title)));
    if (!check.ok || !check.chats[0]) throw new Error('refused');
    return check.chats[0];
  };

  it('adds new chats, skips ones already stored as they are, renames colliding ones', () => {
    const same = stored('same', 'Same');
    const collide = stored('taken', 'Mine');
    const imported = [stored('new', 'New'), same, stored('taken', 'Theirs')];
    let n = 0;
    const { added, alreadyStored } = mergeImported(imported, [same, collide], () => `id${++n}`);
    expect(alreadyStored).toBe(1);
    expect(added.map((c) => [c.id, c.title])).toEqual([
      ['new', 'New'],
      ['id1', 'Theirs'],
    ]);
  });
});
