import type {
  ChatTurn,
  EngineError,
  GenerateRequest,
  SamplingSettings,
} from '../../lib/engine-protocol.ts';
import type { EngineStore } from '../../lib/engine-store.ts';
import { createExternalStore, type ExternalStore } from '../../lib/external-store.ts';

export interface ChatMessage {
  id: number;
  role: 'user' | 'assistant';
  text: string;
  /** `stopped`: the user pressed Stop; `length`: the answer hit the max-tokens limit. */
  status: 'streaming' | 'done' | 'stopped' | 'length' | 'error';
  error?: EngineError;
}

/** `chat` follows the model's chat template; `complete` continues the text as written. */
export type ChatMode = 'chat' | 'complete';

export interface ChatSnapshot {
  messages: ChatMessage[];
  /** The user's choice; null follows the model (chat when it has a chat template). */
  modeOverride: ChatMode | null;
  sampling: SamplingSettings;
}

export interface ChatStore extends ExternalStore<ChatSnapshot> {
  /** Sends `text` and streams the answer; resolves when the worker says the run ended. */
  send: (text: string, mode: ChatMode) => Promise<void>;
  stop: () => void;
  newChat: () => void;
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

export function createChatStore(engine: EngineStore): ChatStore {
  const store = createExternalStore<ChatSnapshot>({
    messages: [],
    modeOverride: null,
    sampling: defaultSampling,
  });
  let nextId = 1;

  const update = (id: number, change: (m: ChatMessage) => ChatMessage) =>
    store.set((s) => ({ ...s, messages: s.messages.map((m) => (m.id === id ? change(m) : m)) }));

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

      const outcome = await engine.generate(request, (piece) =>
        update(answerId, (m) => ({ ...m, text: m.text + piece })),
      );
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
    },

    stop: () => engine.stop(),

    newChat() {
      engine.stop();
      store.set((s) => ({ ...s, messages: [] }));
    },
  };
}
