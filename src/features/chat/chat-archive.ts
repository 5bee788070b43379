import { clear, createStore, del, set, setMany, values, type UseStore } from 'idb-keyval';
import type { EngineError, SamplingSettings } from '../../shared/engine-protocol.ts';
import { MAX_SYSTEM_PROMPT } from '../../lib/preferences.ts';
import { restoreEngineError } from './restore-engine-error.ts';

/**
 * Conversations, kept only in this browser's IndexedDB (one idb-keyval store for this concern).
 * Records are versioned and normalised by `restoreChat` on read, so an old or damaged record is
 * skipped or repaired instead of breaking the app.
 */

/** Unique within its conversation and never reused, so a branch keeps pointing at the same turn. */
export type MessageId = number;

/** One answer's numbers: the engine's counts and timings, and the time to first token. */
export interface MessageTimings {
  promptTokens: number;
  outputTokens: number;
  prefillMs: number;
  decodeMs: number;
  /** From the user's Send to the first token on the main thread; null when no token came. */
  timeToFirstTokenMs: number | null;
}

/** What an answer's run took of the context, as the engine counted it. */
export interface AnswerContext {
  /** Tokens of the prompt the model read (template markup included); null: not reported. */
  promptTokens: number | null;
  contextSize: number;
  /** The messages of the conversation left out of the prompt to fit it (`ContextPolicy`). */
  leftOutIds: MessageId[];
}

/**
 * One node of a conversation's tree. A regenerated answer or an edited question is a sibling of
 * the one it replaces (same parent), so every version stays reachable.
 */
export interface ChatMessage {
  id: MessageId;
  /** null for a first message (a conversation may have several, once questions can be edited). */
  parentId: MessageId | null;
  /** Oldest first. */
  childIds: MessageId[];
  role: 'user' | 'assistant';
  content: string;
  /** The model's thinking, kept apart from `content` and never sent back to the model. */
  reasoning: string;
  /** How long the model thought, from its first thought to the end of the reasoning (or of the run). */
  reasoningMs?: number;
  /** `stopped`: the user pressed Stop (or the tab closed mid-answer); `length`: max tokens hit. */
  status: 'streaming' | 'done' | 'stopped' | 'length' | 'error';
  error?: EngineError;
  /** The model that wrote an answer (`modelKey` and `modelLabel` of its spec). */
  model?: { key: string; label: string };
  /** The settings an answer was generated with. */
  sampling?: SamplingSettings;
  /** The system prompt an answer was generated with (absent: none). */
  systemPrompt?: string;
  context?: AnswerContext;
  timings?: MessageTimings;
}

/** What a conversation sends with every turn; each chat keeps its own. */
export interface ChatSettings {
  /** '' for none. */
  systemPrompt: string;
  sampling: SamplingSettings;
}

/** Version 2 of a stored conversation: a message tree and the leaf that is shown. */
export interface SavedChat {
  version: 2;
  id: string;
  title: string;
  /** The user named the conversation: its title is theirs, not made from its first question. */
  renamed?: boolean;
  createdAt: number;
  updatedAt: number;
  /** Every message of the tree, in the order they were written (a parent before its children). */
  messages: ChatMessage[];
  /** The visible conversation is the path from a root to this message; null when empty. */
  currentLeafId: MessageId | null;
  /** Absent in chats stored before chats had their own settings: they get the defaults. */
  settings?: ChatSettings;
}

export interface ChatArchive {
  /** Every readable conversation, the most recently changed first. */
  list: () => Promise<SavedChat[]>;
  /** @throws the browser's QuotaExceededError when storage is full. */
  save: (chat: SavedChat) => Promise<void>;
  /**
   * Stores every chat in one transaction: all of them or, when it fails, none.
   *
   * @throws the browser's QuotaExceededError when storage is full.
   */
  saveAll: (chats: readonly SavedChat[]) => Promise<void>;
  remove: (id: string) => Promise<void>;
  removeAll: () => Promise<void>;
}

/** Conversations kept in memory only, gone with the page (the embedded widget writes none). */
export function memoryChatArchive(): ChatArchive {
  let chats: SavedChat[] = [];
  const put = (chat: SavedChat) => [chat, ...chats.filter((c) => c.id !== chat.id)];
  return {
    list: () => Promise.resolve([...chats].sort((a, b) => b.updatedAt - a.updatedAt)),
    save(chat) {
      chats = put(chat);
      return Promise.resolve();
    },
    saveAll(added) {
      for (const chat of added) chats = put(chat);
      return Promise.resolve();
    },
    remove(id) {
      chats = chats.filter((c) => c.id !== id);
      return Promise.resolve();
    },
    removeAll() {
      chats = [];
      return Promise.resolve();
    },
  };
}

export function openChatArchive(store: UseStore = createStore('tab-llm-chats', 'chats')) {
  return {
    async list() {
      const raw = await values(store);
      return raw
        .map(restoreChat)
        .filter((chat) => chat !== null)
        .sort((a, b) => b.updatedAt - a.updatedAt);
    },
    save: (chat) => set(chat.id, chat, store),
    saveAll: (chats) =>
      setMany(
        chats.map((chat) => [chat.id, chat]),
        store,
      ),
    remove: (id) => del(id, store),
    removeAll: () => clear(store),
  } satisfies ChatArchive;
}

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null;
const isId = (value: unknown): value is MessageId => Number.isSafeInteger(value);
const isNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

const statuses: readonly ChatMessage['status'][] = [
  'streaming',
  'done',
  'stopped',
  'length',
  'error',
];

/** The parts every version shares; null when the message cannot be read at all. */
type Turn = Pick<ChatMessage, 'role' | 'content' | 'status' | 'error'>;

function restoreTurn(r: Fields, content: unknown): Turn | null {
  if (typeof content !== 'string') return null;
  if (r.role !== 'user' && r.role !== 'assistant') return null;
  const status = statuses.find((s) => s === r.status);
  if (!status) return null;
  // An answer saved while it streamed was cut off when the tab closed.
  const turn: Turn = { role: r.role, content, status: status === 'streaming' ? 'stopped' : status };
  return status === 'error' ? { ...turn, error: restoreEngineError(r.error) } : turn;
}

function restoreTimings(raw: unknown): MessageTimings | undefined {
  if (!isObject(raw)) return undefined;
  const { promptTokens, outputTokens, prefillMs, decodeMs, timeToFirstTokenMs } = raw;
  if (!isNumber(promptTokens) || !isNumber(outputTokens)) return undefined;
  if (!isNumber(prefillMs) || !isNumber(decodeMs)) return undefined;
  return {
    promptTokens,
    outputTokens,
    prefillMs,
    decodeMs,
    timeToFirstTokenMs: isNumber(timeToFirstTokenMs) ? timeToFirstTokenMs : null,
  };
}

const optionalSampling = ['topP', 'topK', 'minP', 'repeatPenalty', 'seed'] as const;

/** Sampling settings, or undefined when the two required ones are damaged; a damaged option is left out. */
export function restoreSampling(raw: unknown): SamplingSettings | undefined {
  if (!isObject(raw) || !isNumber(raw.temperature) || !isNumber(raw.maxTokens)) return undefined;
  const sampling: SamplingSettings = { temperature: raw.temperature, maxTokens: raw.maxTokens };
  for (const key of optionalSampling) {
    const value = raw[key];
    if (isNumber(value)) sampling[key] = value;
  }
  return sampling;
}

function restoreAnswerContext(raw: unknown): AnswerContext | undefined {
  if (!isObject(raw) || !isNumber(raw.contextSize)) return undefined;
  const leftOut = Array.isArray(raw.leftOutIds) ? raw.leftOutIds.filter(isId) : [];
  return {
    promptTokens: isNumber(raw.promptTokens) ? raw.promptTokens : null,
    contextSize: raw.contextSize,
    leftOutIds: leftOut,
  };
}

function restoreSettings(raw: unknown): ChatSettings | undefined {
  if (!isObject(raw)) return undefined;
  const sampling = restoreSampling(raw.sampling);
  if (!sampling) return undefined;
  const systemPrompt = typeof raw.systemPrompt === 'string' ? raw.systemPrompt : '';
  return { systemPrompt: systemPrompt.slice(0, MAX_SYSTEM_PROMPT), sampling };
}

/** A v2 message without its links (restoreTree checks and rebuilds those). */
function restoreMessage(raw: unknown): Omit<ChatMessage, 'childIds'> | null {
  if (!isObject(raw) || !isId(raw.id)) return null;
  if (raw.parentId !== null && !isId(raw.parentId)) return null;
  const turn = restoreTurn(raw, raw.content);
  if (!turn) return null;
  const message: Omit<ChatMessage, 'childIds'> = {
    id: raw.id,
    parentId: raw.parentId,
    ...turn,
    reasoning: typeof raw.reasoning === 'string' ? raw.reasoning : '',
  };
  // What was used to write an answer is a record for the reader: a damaged part is left out.
  const { model, sampling } = raw;
  if (isObject(model) && typeof model.key === 'string' && typeof model.label === 'string') {
    message.model = { key: model.key, label: model.label };
  }
  const restoredSampling = restoreSampling(sampling);
  if (restoredSampling) message.sampling = restoredSampling;
  if (typeof raw.systemPrompt === 'string' && raw.systemPrompt !== '') {
    message.systemPrompt = raw.systemPrompt.slice(0, MAX_SYSTEM_PROMPT);
  }
  const context = restoreAnswerContext(raw.context);
  if (context) message.context = context;
  const timings = restoreTimings(raw.timings);
  if (timings) message.timings = timings;
  if (isNumber(raw.reasoningMs) && raw.reasoningMs >= 0) message.reasoningMs = raw.reasoningMs;
  return message;
}

/**
 * Checks the parent links and rebuilds every `childIds` from them, so the two can never disagree.
 * null when an id repeats or a parent is not written before its child (which also rules out cycles).
 */
function restoreTree(nodes: Omit<ChatMessage, 'childIds'>[]): ChatMessage[] | null {
  const byId = new Map<MessageId, ChatMessage>();
  for (const node of nodes) {
    if (byId.has(node.id)) return null;
    const parent = node.parentId === null ? null : byId.get(node.parentId);
    if (parent === undefined) return null;
    parent?.childIds.push(node.id);
    byId.set(node.id, { ...node, childIds: [] });
  }
  return [...byId.values()];
}

/** v1 stored the conversation as a flat list: it becomes a chain, its last message the leaf. */
function migrateV1Messages(raw: unknown[]): ChatMessage[] | null {
  const messages: ChatMessage[] = [];
  for (const item of raw) {
    if (!isObject(item) || !isId(item.id)) return null;
    const turn = restoreTurn(item, item.text);
    if (!turn) return null;
    messages.push({ id: item.id, parentId: null, childIds: [], ...turn, reasoning: '' });
  }
  return restoreTree(messages.map((m, i) => ({ ...m, parentId: messages[i - 1]?.id ?? null })));
}

/** The stored leaf if it is one of the messages, else the last message written. */
function restoreLeaf(raw: unknown, messages: readonly ChatMessage[]): MessageId | null {
  if (isId(raw) && messages.some((m) => m.id === raw)) return raw;
  return messages.at(-1)?.id ?? null;
}

/**
 * Normalises a stored conversation (v1 records migrate to v2); anything damaged or of an unknown
 * version becomes null. An error the app no longer knows becomes a readable `internal` one.
 */
export function restoreChat(raw: unknown): SavedChat | null {
  if (!isObject(raw) || typeof raw.id !== 'string' || !Array.isArray(raw.messages)) return null;
  if (!isNumber(raw.createdAt) || !isNumber(raw.updatedAt)) return null;
  let messages: ChatMessage[] | null = null;
  if (raw.version === 1) {
    messages = migrateV1Messages(raw.messages);
  } else if (raw.version === 2) {
    const nodes = raw.messages.map(restoreMessage);
    messages = nodes.every((m) => m !== null) ? restoreTree(nodes) : null;
  }
  if (!messages) return null;
  const settings = restoreSettings(raw.settings);
  return {
    version: 2,
    id: raw.id,
    title: typeof raw.title === 'string' ? raw.title : 'Untitled chat',
    ...(raw.renamed === true && typeof raw.title === 'string' && { renamed: true }),
    createdAt: raw.createdAt,
    updatedAt: raw.updatedAt,
    messages,
    currentLeafId: restoreLeaf(raw.version === 1 ? null : raw.currentLeafId, messages),
    ...(settings && { settings }),
  };
}

/** A conversation's title: the start of its first question. */
export function chatTitle(path: readonly ChatMessage[]): string {
  const first =
    path
      .find((m) => m.role === 'user')
      ?.content.trim()
      .replace(/\s+/g, ' ') ?? '';
  if (first === '') return 'New chat';
  return first.length > 60 ? `${first.slice(0, 59)}…` : first;
}
