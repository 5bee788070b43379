import { restoreChat, type SavedChat } from './chat-archive.ts';

/**
 * Reading a chat export back (`chatsAsJson`). The file comes from anywhere, so it is checked whole
 * before anything is stored: one problem refuses the file, with the reason, and nothing changes.
 * Stored records are repaired on read (`restoreChat`), but a file is refused instead: a repair the
 * user did not see would import something other than what they exported.
 */

/** What a file may hold. Real exports stay far below; past these it is damaged or hostile. */
export const IMPORT_LIMITS = {
  /** The file's size, checked before it is read (parsing happens on the page's thread). */
  bytes: 32_000_000,
  /** Any list: the chats, a chat's messages, a message's children. */
  listItems: 10_000,
  /** Any text: a message, a title, an id. */
  textChars: 1_000_000,
  /** Objects and lists inside each other (an export needs 7). */
  depth: 16,
  /** Every value in the file, counted as it is walked. */
  values: 2_000_000,
} as const;

/** How an import ended, to be said to the user. */
export type ImportReport =
  { ok: true; added: number; alreadyStored: number } | { ok: false; reason: string };

export type ImportCheck = { ok: true; chats: SavedChat[] } | { ok: false; reason: string };

/** Why a file of `bytes` is refused unread, or null when its size is fine. */
export function sizeProblem(bytes: number): string | null {
  return bytes > IMPORT_LIMITS.bytes
    ? `The file is larger than ${String(IMPORT_LIMITS.bytes / 1_000_000)} MB, more than a chat export holds.`
    : null;
}

/** Keys that name an object's prototype: no export has them, a prototype-pollution attempt does. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Walks the parsed file once, without recursion (a deep file must not exhaust the stack), and
 * says what breaks a limit or names a prototype.
 */
function budgetProblem(root: unknown): string | null {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 1 }];
  let values = 0;
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value, depth } = item;
    if (++values > IMPORT_LIMITS.values) return 'It holds far more data than a chat export does.';
    if (typeof value === 'string' && value.length > IMPORT_LIMITS.textChars) {
      return `It holds a text longer than ${String(IMPORT_LIMITS.textChars)} characters.`;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > IMPORT_LIMITS.depth) return 'Its data is nested far deeper than a chat export.';
    const children = Array.isArray(value) ? (value as unknown[]) : Object.values(value);
    if (children.length > IMPORT_LIMITS.listItems) {
      return `It holds a list of more than ${String(IMPORT_LIMITS.listItems)} items.`;
    }
    if (!Array.isArray(value)) {
      const key = Object.keys(value).find((k) => FORBIDDEN_KEYS.has(k));
      if (key !== undefined) return `It holds the key "${key}", which no chat export has.`;
    }
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
  return null;
}

/** A chat's name in a reason: its place in the file and the start of its title. */
function chatName(raw: Fields, index: number): string {
  const title = typeof raw.title === 'string' ? raw.title.trim().slice(0, 40) : '';
  return `Chat ${String(index + 1)}${title ? ` ("${title}")` : ''}`;
}

const isId = (value: unknown): value is number => Number.isSafeInteger(value);

/**
 * The links of a version 2 message tree, checked with reasons: ids unique, every parent present
 * and written before its children (which also rules out cycles), children lists agreeing with the
 * parents, and the shown leaf one of the messages.
 */
function treeProblem(raw: Fields): string | null {
  const messages = raw.messages as unknown[];
  const parents = new Map<number, number | null>();
  const listedChildren = new Map<number, unknown>();
  for (const message of messages) {
    if (!isObject(message) || !isId(message.id)) return 'a message has no whole-number id';
    if (parents.has(message.id)) return `two messages share the id ${String(message.id)}`;
    const { parentId } = message;
    if (parentId !== null && !isId(parentId)) return 'a message has a parent id of the wrong type';
    if (parentId !== null && !parents.has(parentId)) {
      const known = messages.some((m) => isObject(m) && m.id === parentId);
      return known
        ? 'its messages are out of order or their parent links form a cycle'
        : `a message points to a parent (${String(parentId)}) that is not in the chat`;
    }
    parents.set(message.id, parentId);
    listedChildren.set(message.id, message.childIds);
  }
  const linkedCount = new Map<number, number>();
  for (const parent of parents.values()) {
    if (parent !== null) linkedCount.set(parent, (linkedCount.get(parent) ?? 0) + 1);
  }
  for (const [id, childIds] of listedChildren) {
    if (!Array.isArray(childIds) || !childIds.every(isId)) {
      return 'a message has no list of children';
    }
    // Each listed child names this message as its parent, once, and none is left out.
    const listed = new Set(childIds);
    const agree =
      listed.size === childIds.length &&
      listed.size === (linkedCount.get(id) ?? 0) &&
      childIds.every((child) => parents.get(child) === id);
    if (!agree) return 'its lists of children disagree with the parent links';
  }
  const leaf = raw.currentLeafId;
  if (leaf !== null && leaf !== undefined && !(isId(leaf) && parents.has(leaf))) {
    return 'the message it shows is not in the chat';
  }
  return null;
}

/** One chat of the file, checked and then normalised as a stored one would be. */
function readChat(raw: unknown, index: number): SavedChat | string {
  if (!isObject(raw)) return `Chat ${String(index + 1)} is not a chat record.`;
  const name = chatName(raw, index);
  if (raw.version !== 1 && raw.version !== 2) {
    const version =
      typeof raw.version === 'number' ? `version ${String(raw.version)}` : 'no known version';
    return `${name} has ${version}; this app reads versions 1 and 2 (a newer app may have written it).`;
  }
  if (typeof raw.id !== 'string' || raw.id === '' || raw.id.length > 200) {
    return `${name} has no usable id.`;
  }
  if (!Array.isArray(raw.messages)) return `${name} has no list of messages.`;
  if (raw.version === 2) {
    const problem = treeProblem(raw);
    if (problem) return `${name} is damaged: ${problem}.`;
  } else {
    const ids = raw.messages.map((m) => (isObject(m) ? m.id : undefined));
    if (!ids.every(isId)) return `${name} is damaged: a message has no whole-number id.`;
    if (new Set(ids).size !== ids.length) return `${name} is damaged: two messages share an id.`;
  }
  const chat = restoreChat(raw);
  if (!chat) {
    return `${name} is damaged: a message lacks its role, text or status, or a date is missing.`;
  }
  return chat;
}

/**
 * Checks a chat export and reads its chats (version 1 chats become version 2, as stored ones do).
 * Refuses, with a reason for the user, anything that is not a whole, valid Tab LLM export.
 */
export function readChatExport(text: string): ImportCheck {
  const tooLarge = sizeProblem(text.length);
  if (tooLarge) return { ok: false, reason: tooLarge };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'The file is not JSON: it is not a chat export.' };
  }
  const overBudget = budgetProblem(parsed);
  if (overBudget) return { ok: false, reason: `The file is not a chat export. ${overBudget}` };
  if (!isObject(parsed) || parsed.app !== 'tab-llm' || !Array.isArray(parsed.chats)) {
    return { ok: false, reason: 'The file is not a Tab LLM chat export ("Export all").' };
  }
  if (parsed.chats.length === 0) return { ok: false, reason: 'The file holds no chats.' };

  const chats: SavedChat[] = [];
  const ids = new Set<string>();
  for (const [index, raw] of parsed.chats.entries()) {
    const chat = readChat(raw, index);
    if (typeof chat === 'string') return { ok: false, reason: `${chat} Nothing was imported.` };
    if (ids.has(chat.id)) {
      return {
        ok: false,
        reason: `Two chats in the file share the id ${chat.id.slice(0, 40)}. Nothing was imported.`,
      };
    }
    ids.add(chat.id);
    chats.push(chat);
  }
  return { ok: true, chats };
}

/**
 * The imported chats to store beside `stored`: one already stored as it is (same id, same
 * record) is left out, and one whose id a different stored chat has gets a new id, so an import
 * never overwrites a chat.
 */
export function mergeImported(
  imported: readonly SavedChat[],
  stored: readonly SavedChat[],
  newId: () => string,
): { added: SavedChat[]; alreadyStored: number } {
  const byId = new Map(stored.map((chat) => [chat.id, chat]));
  const added: SavedChat[] = [];
  let alreadyStored = 0;
  for (const chat of imported) {
    const same = byId.get(chat.id);
    if (!same) added.push(chat);
    else if (JSON.stringify(same) === JSON.stringify(chat)) alreadyStored += 1;
    else added.push({ ...chat, id: newId() });
  }
  return { added, alreadyStored };
}
