import type { ChatTurn, GenerateRequest, SamplingSettings } from '../../shared/engine-protocol.ts';
import type { EngineStore } from '../../lib/engine-store.ts';
import { createExternalStore, type ExternalStore } from '../../lib/external-store.ts';
import {
  chatTitle,
  openChatArchive,
  type ChatArchive,
  type ChatMessage,
  type SavedChat,
} from './chat-archive.ts';

/** `chat` follows the model's chat template; `complete` continues the text as written. */
export type ChatMode = 'chat' | 'complete';

export interface ChatSnapshot {
  /** The open conversation. */
  chatId: string;
  createdAt: number;
  messages: ChatMessage[];
  /** Every stored conversation, the most recent first. */
  saved: SavedChat[];
  /** Why the open conversation could not be stored, if it could not. */
  saveError: string | null;
  /** The user's choice; null follows the model (chat when it has a chat template). */
  modeOverride: ChatMode | null;
  sampling: SamplingSettings;
}

export interface ChatStore extends ExternalStore<ChatSnapshot> {
  /** Sends `text` and streams the answer; resolves when the worker says the run ended. */
  send: (text: string, mode: ChatMode) => Promise<void>;
  stop: () => void;
  newChat: () => void;
  /** Reads the stored conversations and reopens the most recent one. */
  restore: () => Promise<void>;
  open: (id: string) => void;
  remove: (id: string) => Promise<void>;
  removeAll: () => Promise<void>;
}

const defaultSampling: SamplingSettings = { temperature: 0.7, maxTokens: 512 };

/**
 * The conversation so far as turns for the engine. An exchange whose answer failed or is empty is
 * left out whole, so user and assistant turns keep alternating (some chat templates insist).
 */
function historyTurns(messages: readonly ChatMessage[]): ChatTurn[] {
  const turns: ChatTurn[] = [];
  messages.forEach((message, i) => {
    const answer = message.role === 'user' ? messages[i + 1] : message;
    const answered =
      answer?.role === 'assistant' && answer.status !== 'error' && answer.text !== '';
    if (answered && answer.status !== 'streaming')
      turns.push({ role: message.role, content: message.text });
  });
  return turns;
}

/** While an answer streams it is saved at most this often, so closing the tab loses little. */
const STREAM_SAVE_MS = 2000;

export function createChatStore(
  engine: EngineStore,
  archive: ChatArchive = openChatArchive(),
  now: () => number = Date.now,
): ChatStore {
  const store = createExternalStore<ChatSnapshot>({
    chatId: crypto.randomUUID(),
    createdAt: now(),
    messages: [],
    saved: [],
    saveError: null,
    modeOverride: null,
    sampling: defaultSampling,
  });
  let nextId = 1;
  let lastSave = 0;

  const update = (id: number, change: (m: ChatMessage) => ChatMessage) =>
    store.set((s) => ({ ...s, messages: s.messages.map((m) => (m.id === id ? change(m) : m)) }));

  /** Stores the open conversation (never an empty one); a failure becomes visible state. */
  async function save() {
    const { chatId, createdAt, messages } = store.get();
    if (messages.length === 0) return;
    lastSave = now();
    const chat: SavedChat = {
      version: 1,
      id: chatId,
      title: chatTitle(messages),
      createdAt,
      updatedAt: lastSave,
      messages,
    };
    try {
      await archive.save(chat);
      store.set((s) => ({
        ...s,
        saveError: s.chatId === chatId ? null : s.saveError,
        saved: [chat, ...s.saved.filter((c) => c.id !== chatId)],
      }));
    } catch (error) {
      const full = error instanceof DOMException && error.name === 'QuotaExceededError';
      store.set((s) => ({
        ...s,
        saveError: full
          ? 'Browser storage is full, so this chat is not saved. Delete a model or an old chat to make room.'
          : `This chat could not be saved (${String(error)}). It stays on screen until you close the tab.`,
      }));
    }
  }

  function newChat() {
    engine.stop();
    show({ id: crypto.randomUUID(), createdAt: now(), messages: [] });
  }

  function show(chat: Pick<SavedChat, 'id' | 'createdAt' | 'messages'>) {
    nextId = Math.max(0, ...chat.messages.map((m) => m.id)) + 1;
    store.set((s) => ({
      ...s,
      chatId: chat.id,
      createdAt: chat.createdAt,
      messages: chat.messages,
      saveError: null,
    }));
  }

  return {
    ...store,

    async send(text, mode) {
      if (engine.get().state.status === 'generating' || !text.trim()) return;
      const { messages, sampling } = store.get();
      const request: GenerateRequest =
        mode === 'chat'
          ? {
              mode,
              sampling,
              messages: [...historyTurns(messages), { role: 'user', content: text }],
            }
          : { mode, sampling, prompt: text };
      const answerId = nextId + 1;
      store.set((s) => ({
        ...s,
        messages: [
          ...s.messages,
          { id: nextId, role: 'user', text, status: 'done' },
          { id: answerId, role: 'assistant', text: '', status: 'streaming' },
        ],
      }));
      nextId += 2;
      const chatId = store.get().chatId;
      const stillOpen = () => store.get().chatId === chatId;
      await save();

      const outcome = await engine.generate(request, (piece) => {
        if (!stillOpen()) return;
        update(answerId, (m) => ({ ...m, text: m.text + piece }));
        if (now() - lastSave > STREAM_SAVE_MS) void save();
      });
      if (!stillOpen()) return;
      update(answerId, (m) => {
        if (!outcome.ok) return { ...m, status: 'error', error: outcome.error };
        const reason = outcome.value.finishReason;
        // The worker's text is the reference; the streamed pieces only previewed it.
        const text = outcome.value.text || m.text;
        return {
          ...m,
          text,
          status: reason === 'aborted' ? 'stopped' : reason === 'length' ? 'length' : 'done',
        };
      });
      await save();
    },

    stop: () => engine.stop(),

    newChat,

    async restore() {
      const saved = await archive.list();
      store.set((s) => ({ ...s, saved }));
      const latest = saved[0];
      if (latest && store.get().messages.length === 0) show(latest);
    },

    open(id) {
      const chat = store.get().saved.find((c) => c.id === id);
      if (!chat || chat.id === store.get().chatId) return;
      engine.stop();
      show(chat);
    },

    async remove(id) {
      await archive.remove(id);
      store.set((s) => ({ ...s, saved: s.saved.filter((c) => c.id !== id) }));
      if (store.get().chatId === id) newChat();
    },

    async removeAll() {
      await archive.removeAll();
      store.set((s) => ({ ...s, saved: [] }));
      newChat();
    },
  };
}
