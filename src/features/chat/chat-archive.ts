import { clear, createStore, del, set, values, type UseStore } from 'idb-keyval';
import type { EngineError } from '../../shared/engine-protocol.ts';

/**
 * Conversations, kept only in this browser's IndexedDB (one idb-keyval store for this concern).
 * Records are versioned and normalised by `restoreChat` on read, so an old or damaged record is
 * skipped instead of breaking the app.
 */

export interface ChatMessage {
  id: number;
  role: 'user' | 'assistant';
  text: string;
  /** `stopped`: the user pressed Stop (or the tab closed mid-answer); `length`: max tokens hit. */
  status: 'streaming' | 'done' | 'stopped' | 'length' | 'error';
  error?: EngineError;
}

/** Version 1 of a stored conversation. */
export interface SavedChat {
  version: 1;
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  messages: ChatMessage[];
}

export interface ChatArchive {
  /** Every readable conversation, the most recently changed first. */
  list: () => Promise<SavedChat[]>;
  /** @throws the browser's QuotaExceededError when storage is full. */
  save: (chat: SavedChat) => Promise<void>;
  remove: (id: string) => Promise<void>;
  removeAll: () => Promise<void>;
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
    remove: (id) => del(id, store),
    removeAll: () => clear(store),
  } satisfies ChatArchive;
}

const statuses: readonly ChatMessage['status'][] = [
  'streaming',
  'done',
  'stopped',
  'length',
  'error',
];

function restoreMessage(raw: unknown): ChatMessage | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'number' || typeof r.text !== 'string') return null;
  if (r.role !== 'user' && r.role !== 'assistant') return null;
  const status = statuses.find((s) => s === r.status);
  if (!status) return null;
  const message: ChatMessage = {
    id: r.id,
    role: r.role,
    text: r.text,
    // An answer saved while it streamed was cut off when the tab closed.
    status: status === 'streaming' ? 'stopped' : status,
  };
  if (status === 'error' && typeof r.error === 'object' && r.error !== null) {
    message.error = r.error as EngineError;
  }
  return message;
}

/** Normalises a stored conversation; anything damaged or of an unknown version becomes null. */
export function restoreChat(raw: unknown): SavedChat | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (r.version !== 1 || typeof r.id !== 'string' || !Array.isArray(r.messages)) return null;
  if (typeof r.createdAt !== 'number' || typeof r.updatedAt !== 'number') return null;
  const messages = r.messages.map(restoreMessage);
  if (messages.some((m) => m === null)) return null;
  return {
    version: 1,
    id: r.id,
    title: typeof r.title === 'string' ? r.title : 'Untitled chat',
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    messages: messages as ChatMessage[],
  };
}

/** A conversation's title: the start of its first message. */
export function chatTitle(messages: readonly ChatMessage[]): string {
  const first =
    messages
      .find((m) => m.role === 'user')
      ?.text.trim()
      .replace(/\s+/g, ' ') ?? '';
  if (first === '') return 'New chat';
  return first.length > 60 ? `${first.slice(0, 59)}…` : first;
}
