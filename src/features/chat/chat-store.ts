import type {
  ChatTurn,
  ContextPolicy,
  GenerateRequest,
  SamplingSettings,
} from '../../shared/engine-protocol.ts';
import { modelKey, modelLabel } from '../../shared/model-keys.ts';
import { isGenerating, loadedModel } from '../../lib/engine-lifecycle.ts';
import { mayGenerate, type EngineStore } from '../../lib/engine-store.ts';
import { classifyError, describe } from '../../shared/engine-failure.ts';
import { createExternalStore, type ExternalStore } from '../../lib/external-store.ts';
import {
  chatTitle,
  openChatArchive,
  type ChatArchive,
  type ChatMessage,
  type ChatSettings,
  type MessageId,
  type SavedChat,
} from './chat-archive.ts';
import {
  addChild,
  latestLeaf,
  pathTo,
  removeBranch,
  updateMessage,
  type NewMessage,
} from './chat-tree.ts';
import { mergeImported, readChatExport, sizeProblem, type ImportReport } from './chat-import.ts';
import { createReasoningSplitter, splitReasoning, type ReasoningDelta } from './reasoning.ts';

/** `chat` follows the model's chat template; `complete` continues the text as written. */
export type ChatMode = 'chat' | 'complete';

export interface ChatSnapshot {
  /** The open conversation. */
  chatId: string;
  createdAt: number;
  /** Every message of the open conversation's tree. */
  messages: ChatMessage[];
  /** What is shown is the path to this leaf (`pathTo`); null while the conversation is empty. */
  currentLeafId: MessageId | null;
  /** Every stored conversation, the most recent first. */
  saved: SavedChat[];
  /** The title the user gave the open conversation; null: made from its first question. */
  customTitle: string | null;
  /** Why the open conversation could not be stored, if it could not. */
  saveError: string | null;
  /** The user's choice; null follows the model (chat when it has a chat template). */
  modeOverride: ChatMode | null;
  /** The open conversation's sampling (each chat keeps its own; a new chat starts with these). */
  sampling: SamplingSettings;
  /** The open conversation's system prompt ('' for none); a new chat starts with the default. */
  systemPrompt: string;
  /**
   * The thinking switch, sent only to a model whose template has one
   * (`LoadedModel.thinking.switchable`); on by default, as those templates are.
   */
  thinking: boolean;
}

export interface ChatStore extends ExternalStore<ChatSnapshot> {
  /**
   * Sends `text` after the visible conversation and streams the answer; resolves when the worker
   * says the run ended.
   */
  send: (text: string, mode: ChatMode) => Promise<void>;
  /** Shows the version of the conversation that goes through `id` (its newest continuation). */
  switchTo: (id: MessageId) => void;
  /** Writes another answer to the question of answer `id`, beside the old ones, and shows it. */
  regenerate: (id: MessageId, mode: ChatMode) => Promise<void>;
  /** Sends `text` in place of question `id`: a new branch beside it, which is then shown. */
  edit: (id: MessageId, text: string, mode: ChatMode) => Promise<void>;
  /** Deletes message `id` and what follows it on its branches (`removeBranch`). */
  removeMessage: (id: MessageId) => void;
  /** Changes the open conversation's settings (stored with it, once it has a message). */
  setSettings: (change: Partial<ChatSettings>) => void;
  stop: () => void;
  newChat: () => void;
  /** Reads the stored conversations and reopens the most recent one. */
  restore: () => Promise<void>;
  open: (id: string) => void;
  /** Names a stored conversation; an empty title gives it back the one made from its question. */
  rename: (id: string, title: string) => Promise<void>;
  remove: (id: string) => Promise<void>;
  removeAll: () => Promise<void>;
  /**
   * Adds the chats of an export file (`chatsAsJson`) to the stored ones, all or none: a file that
   * is not a valid export, or that storage refuses, changes nothing and the report says why.
   */
  importChats: (file: Blob) => Promise<ImportReport>;
}

export const defaultSampling: SamplingSettings = { temperature: 0.7, maxTokens: 512 };

/** What a new chat starts with and how a turn is fitted to the context (the user's preferences). */
export interface ChatDefaults {
  systemPrompt: string;
  contextPolicy: ContextPolicy;
}

const noDefaults = (): ChatDefaults => ({ systemPrompt: '', contextPolicy: 'drop-oldest' });

/**
 * A path as turns for the engine (content only: reasoning is never sent back), each with the id
 * of its message. An exchange whose answer failed or is empty is left out whole, so user and
 * assistant turns keep alternating (some chat templates insist).
 */
function historyTurns(path: readonly ChatMessage[]): { id: MessageId; turn: ChatTurn }[] {
  const turns: { id: MessageId; turn: ChatTurn }[] = [];
  path.forEach((message, i) => {
    const answer = message.role === 'user' ? path[i + 1] : message;
    const answered =
      answer?.role === 'assistant' && answer.status !== 'error' && answer.content !== '';
    if (answered && answer.status !== 'streaming')
      turns.push({ id: message.id, turn: { role: message.role, content: message.content } });
  });
  return turns;
}

/** While an answer streams it is saved at most this often, so closing the tab loses little. */
const STREAM_SAVE_MS = 2000;

export function createChatStore(
  engine: EngineStore,
  archive: ChatArchive = openChatArchive(),
  now: () => number = Date.now,
  defaults: () => ChatDefaults = noDefaults,
): ChatStore {
  const store = createExternalStore<ChatSnapshot>({
    chatId: crypto.randomUUID(),
    createdAt: now(),
    messages: [],
    currentLeafId: null,
    saved: [],
    customTitle: null,
    saveError: null,
    modeOverride: null,
    sampling: defaultSampling,
    systemPrompt: defaults().systemPrompt,
    thinking: true,
  });
  let nextId = 1;
  let lastSave = 0;
  // Writes go one after another, so a slow one never lands after (and over) a newer one.
  let saving = Promise.resolve();

  const update = (id: MessageId, change: (m: ChatMessage) => ChatMessage) =>
    store.set((s) => ({ ...s, messages: updateMessage(s.messages, id, change) }));
  /** A streamed piece: shown at the next frame, however many pieces arrive before it. */
  const appendPiece = (
    id: MessageId,
    { reasoning, content }: ReasoningDelta,
    reasoningMs: number | null,
  ) =>
    store.setBatched((s) => ({
      ...s,
      messages: updateMessage(s.messages, id, (m) => ({
        ...m,
        reasoning: m.reasoning + reasoning,
        content: m.content + content,
        ...(reasoningMs !== null && { reasoningMs }),
      })),
    }));

  /** Adds a message under `parentId` and makes it the current leaf. */
  const append = (parentId: MessageId | null, message: Omit<NewMessage, 'id'>): MessageId => {
    const id = nextId++;
    store.set((s) => ({
      ...s,
      messages: addChild(s.messages, parentId, { ...message, id }),
      currentLeafId: id,
    }));
    return id;
  };

  async function write(chat: SavedChat) {
    try {
      await archive.save(chat);
      store.set((s) => ({
        ...s,
        saveError: s.chatId === chat.id ? null : s.saveError,
        // Most recent first; a rename keeps a conversation's place.
        saved: [chat, ...s.saved.filter((c) => c.id !== chat.id)].sort(
          (a, b) => b.updatedAt - a.updatedAt,
        ),
      }));
    } catch (cause) {
      const error = classifyError(cause);
      store.set((s) => ({
        ...s,
        saveError:
          error.kind === 'storage-full'
            ? 'Browser storage is full, so this chat is not saved. Delete a model or an old chat to make room.'
            : `This chat could not be saved (${describe(cause)}). It stays on screen until you close the tab.`,
      }));
    }
  }

  /**
   * Stores the open conversation as it is now (never an empty one), after any write still under
   * way; a failure becomes visible state.
   */
  function save(): Promise<void> {
    const { chatId, createdAt, messages, currentLeafId, customTitle, sampling, systemPrompt } =
      store.get();
    if (messages.length === 0) return saving;
    lastSave = now();
    const chat: SavedChat = {
      version: 2,
      id: chatId,
      title: customTitle ?? chatTitle(pathTo(messages, currentLeafId)),
      ...(customTitle !== null && { renamed: true }),
      createdAt,
      updatedAt: lastSave,
      messages,
      currentLeafId,
      settings: { systemPrompt, sampling },
    };
    saving = saving.then(() => write(chat));
    return saving;
  }

  function newChat() {
    engine.stop();
    show({
      id: crypto.randomUUID(),
      createdAt: now(),
      messages: [],
      currentLeafId: null,
      title: '',
      // The sampling carries over from the chat open before; the system prompt is the default.
      settings: { systemPrompt: defaults().systemPrompt, sampling: store.get().sampling },
    });
  }

  function show(
    chat: Pick<
      SavedChat,
      'id' | 'createdAt' | 'messages' | 'currentLeafId' | 'title' | 'renamed' | 'settings'
    >,
  ) {
    nextId = Math.max(0, ...chat.messages.map((m) => m.id)) + 1;
    store.set((s) => ({
      ...s,
      chatId: chat.id,
      createdAt: chat.createdAt,
      messages: chat.messages,
      currentLeafId: chat.currentLeafId,
      customTitle: chat.renamed ? chat.title : null,
      saveError: null,
      // A chat stored before chats had settings was written with no system prompt.
      sampling: chat.settings?.sampling ?? defaultSampling,
      systemPrompt: chat.settings?.systemPrompt ?? '',
    }));
  }

  /**
   * Streams an answer to the question `questionId` as its newest child: a new question's, or
   * another one beside the old answers (regenerate), or an edited question's (a new branch).
   */
  async function answer(questionId: MessageId, mode: ChatMode, sentAt: number) {
    const { messages, sampling, thinking, systemPrompt } = store.get();
    const model = loadedModel(engine.get().state);
    const path = pathTo(messages, questionId);
    const question = path.at(-1)?.content ?? '';
    const history = historyTurns(path.slice(0, -1));
    const system: ChatTurn[] = systemPrompt.trim()
      ? [{ role: 'system', content: systemPrompt }]
      : [];
    const request: GenerateRequest =
      mode === 'chat'
        ? {
            mode,
            sampling,
            messages: [
              ...system,
              ...history.map((h) => h.turn),
              { role: 'user', content: question },
            ],
            ...(model?.thinking.switchable && { thinking }),
            fit: defaults().contextPolicy,
          }
        : { mode, sampling, prompt: question };
    // A completion continues the text as written: no part of it is reasoning.
    const startsInReasoning = model?.thinking.startsInReasoning ?? false;
    const splitter = mode === 'chat' ? createReasoningSplitter({ startsInReasoning }) : null;
    const split = (piece: string): ReasoningDelta =>
      splitter ? splitter.push(piece) : { reasoning: '', content: piece };
    const answerId = append(questionId, {
      role: 'assistant',
      content: '',
      reasoning: '',
      status: 'streaming',
      sampling,
      ...(mode === 'chat' && system.length > 0 && { systemPrompt }),
      ...(model && { model: { key: modelKey(model.spec), label: modelLabel(model.spec) } }),
    });
    const chatId = store.get().chatId;
    const stillOpen = () => store.get().chatId === chatId;

    // The run starts before anything is stored: its time to first token counts from the Send,
    // not from the end of an IndexedDB write.
    let firstTokenAt: number | null = null;
    let reasoningTimed = false;
    const run = engine.generate(
      request,
      (piece) => {
        firstTokenAt ??= performance.now();
        if (!stillOpen()) return;
        const delta = split(piece);
        // The reasoning's duration is known once, when its closing tag arrives.
        const reasoningMs = reasoningTimed ? null : (splitter?.reasoningMs ?? null);
        if (reasoningMs !== null) reasoningTimed = true;
        if (delta.reasoning || delta.content || reasoningMs !== null) {
          appendPiece(answerId, delta, reasoningMs);
        }
        if (now() - lastSave > STREAM_SAVE_MS) void save();
      },
      sentAt,
    );
    void save();
    const outcome = await run;
    if (!stillOpen()) return;
    const last = splitter?.finish() ?? { reasoning: '', content: '' };
    const reasoningMs = splitter?.reasoningMs ?? null;
    update(answerId, (streamed) => {
      const m = {
        ...streamed,
        reasoning: streamed.reasoning + last.reasoning,
        content: streamed.content + last.content,
        ...(reasoningMs !== null && { reasoningMs }),
      };
      if (!outcome.ok) return { ...m, status: 'error', error: outcome.error };
      const { finishReason, measurements, text, context } = outcome.value;
      // The worker's text is the reference; the streamed pieces only previewed it.
      const whole = mode === 'chat' ? splitReasoning(text, startsInReasoning) : { content: text };
      return {
        ...m,
        ...(text !== '' && whole),
        status:
          finishReason === 'aborted' ? 'stopped' : finishReason === 'length' ? 'length' : 'done',
        ...(context && {
          context: {
            promptTokens: context.promptTokens,
            contextSize: context.contextSize,
            // The engine leaves out the oldest history turns: the first ones after the system prompt.
            leftOutIds: history.slice(0, context.droppedMessages).map((h) => h.id),
          },
        }),
        timings: {
          ...measurements,
          // From the Send, less any wait for another tab's answer: the engine's time, not the queue's.
          timeToFirstTokenMs:
            firstTokenAt === null
              ? null
              : firstTokenAt - sentAt - (outcome.value.waitedForTabMs ?? 0),
        },
      };
    });
    await save();
  }

  return {
    ...store,

    async send(text, mode) {
      const sentAt = performance.now(); // the user's Send, for time to first token
      if (!mayGenerate(engine.get()) || !text.trim()) return;
      const questionId = append(store.get().currentLeafId, {
        role: 'user',
        content: text,
        reasoning: '',
        status: 'done',
      });
      await answer(questionId, mode, sentAt);
    },

    switchTo(id) {
      const { messages } = store.get();
      if (isGenerating(engine.get().state)) return;
      if (!messages.some((m) => m.id === id)) return;
      store.set((s) => ({ ...s, currentLeafId: latestLeaf(s.messages, id) }));
      void save();
    },

    async regenerate(id, mode) {
      const sentAt = performance.now();
      const answered = store.get().messages.find((m) => m.id === id);
      if (!mayGenerate(engine.get()) || answered?.role !== 'assistant') return;
      if (answered.parentId === null) return;
      await answer(answered.parentId, mode, sentAt);
    },

    async edit(id, text, mode) {
      const sentAt = performance.now();
      const question = store.get().messages.find((m) => m.id === id);
      if (!mayGenerate(engine.get()) || question?.role !== 'user' || !text.trim()) return;
      const editedId = append(question.parentId, {
        role: 'user',
        content: text,
        reasoning: '',
        status: 'done',
      });
      await answer(editedId, mode, sentAt);
    },

    removeMessage(id) {
      if (isGenerating(engine.get().state)) return;
      store.set((s) => ({ ...s, ...removeBranch(s.messages, id, s.currentLeafId) }));
      const { chatId, messages } = store.get();
      if (messages.length > 0) {
        void save();
        return;
      }
      // Nothing left to keep: the stored copy goes too (save() never writes an empty chat).
      saving = saving.then(async () => {
        await archive.remove(chatId).catch(() => undefined);
        store.set((s) => ({ ...s, saved: s.saved.filter((c) => c.id !== chatId) }));
      });
    },

    setSettings(change) {
      store.set((s) => ({ ...s, ...change }));
      void save();
    },

    stop: () => engine.stop(),

    newChat,

    async restore() {
      const saved = await archive.list();
      store.set((s) => ({ ...s, saved }));
      const latest = saved[0];
      if (store.get().messages.length > 0) return;
      if (latest) show(latest);
      // The preferences may have been read only now: an empty new chat takes their default.
      else store.set((s) => ({ ...s, systemPrompt: defaults().systemPrompt }));
    },

    open(id) {
      const chat = store.get().saved.find((c) => c.id === id);
      if (!chat || chat.id === store.get().chatId) return;
      engine.stop();
      show(chat);
    },

    async rename(id, title) {
      const customTitle = title.trim().replace(/\s+/g, ' ') || null;
      if (store.get().chatId === id) {
        store.set((s) => ({ ...s, customTitle }));
        await save();
        return;
      }
      const chat = store.get().saved.find((c) => c.id === id);
      if (!chat) return;
      const named = customTitle ?? chatTitle(pathTo(chat.messages, chat.currentLeafId));
      // Not its updatedAt: naming a conversation does not make it the latest one.
      await write({ ...chat, title: named, renamed: customTitle !== null });
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

    async importChats(file) {
      // Refused before it is read: a huge file would hold the page while it is parsed.
      const tooLarge = sizeProblem(file.size);
      if (tooLarge) return { ok: false, reason: tooLarge };
      let text: string;
      try {
        text = await file.text();
      } catch (cause) {
        return { ok: false, reason: `The file could not be read (${describe(cause)}).` };
      }
      const check = readChatExport(text);
      if (!check.ok) return check;
      try {
        const stored = await archive.list();
        const merged = mergeImported(check.chats, stored, () => crypto.randomUUID());
        await archive.saveAll(merged.added);
        store.set((s) => ({
          ...s,
          saved: [...merged.added, ...s.saved].sort((a, b) => b.updatedAt - a.updatedAt),
        }));
        return { ok: true, added: merged.added.length, alreadyStored: merged.alreadyStored };
      } catch (cause) {
        return {
          ok: false,
          reason:
            classifyError(cause).kind === 'storage-full'
              ? 'Browser storage is full, so no chat was imported. Delete a model or an old chat to make room.'
              : `No chat was imported: storage failed (${describe(cause)}).`,
        };
      }
    },
  };
}
