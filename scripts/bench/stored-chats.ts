/**
 * Stored chats for the long-use figure (7): many conversations, one of them long, written as the
 * app's own export file (`chatsAsJson`, the records its archive stores), so that the bench puts
 * them into a page through the app's "Import chats" and the app stores them as it stores its own.
 * The text is deterministic and shaped like real answers: paragraphs, lists and some code, so
 * that opening a conversation costs what the markdown renderer really costs.
 */
import type { ChatMessage, SavedChat } from '../../src/features/chat/chat-archive.ts';
import { chatsAsJson } from '../../src/features/chat/chat-export.ts';

const WORDS = (
  'the model reads every token of the prompt before it writes the first word of its answer and ' +
  'then it writes one token at a time each one chosen from the probabilities that the weights ' +
  'give to the whole vocabulary so a longer context costs more memory and more time per token'
).split(' ');

/** `count` words from the list, starting at a place set by `seed`. */
const words = (seed: number, count: number) =>
  Array.from({ length: count }, (_, i) => WORDS[(seed * 7 + i * 3) % WORDS.length]).join(' ');

const sentence = (seed: number, count: number) => {
  const text = words(seed, count);
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
};

/** An answer of about 700 characters: two paragraphs and a list, every fifth with a code block. */
function answerText(seed: number): string {
  const parts = [
    `${sentence(seed, 18)} ${sentence(seed + 1, 14)}`,
    [1, 2, 3].map((i) => `- **${words(seed + i, 2)}**: ${words(seed + i * 5, 9)}`).join('\n'),
    `${sentence(seed + 2, 16)} ${sentence(seed + 3, 12)}`,
  ];
  if (seed % 5 === 0) {
    parts.push(
      [
        '```ts',
        `const tokens = prompt.split(' ').length; // ${words(seed, 4)}`,
        'for (let i = 0; i < tokens; i++) total += weights[i] * scale;',
        '```',
      ].join('\n'),
    );
  }
  return parts.join('\n\n');
}

/** A chain of `count` messages, questions and answers taking turns, as the app stores them. */
function conversation(count: number, seed: number, at: number): ChatMessage[] {
  return Array.from({ length: count }, (_, i): ChatMessage => {
    const id = i + 1;
    const links = {
      id,
      parentId: i === 0 ? null : id - 1,
      childIds: i + 1 < count ? [id + 1] : [],
    };
    if (i % 2 === 0) {
      return {
        ...links,
        role: 'user',
        content: `${sentence(seed + i, 12)} ${words(seed + i + 1, 6)}?`,
        reasoning: '',
        status: 'done',
      };
    }
    return {
      ...links,
      role: 'assistant',
      content: answerText(seed + i),
      reasoning: '',
      status: 'done',
      model: { key: 'gguf:bench-model', label: 'bench-model' },
      sampling: { temperature: 0.7, maxTokens: 512 },
      timings: {
        promptTokens: 40 + i,
        outputTokens: 160,
        prefillMs: 120,
        decodeMs: 3200,
        timeToFirstTokenMs: 150 + (at % 50),
      },
    };
  });
}

/** What the bench needs to know of one stored chat to open it and see it opened. */
export interface ChatFacts {
  title: string;
  messages: number;
  /** Characters of message text. */
  chars: number;
  /** The start of its last message's text, as it reads on screen. */
  lastText: string;
}

export interface StoredChats {
  /** The export file's text. */
  json: string;
  chats: number;
  /** The most recent chat: the one the app reopens when it starts. */
  latest: ChatFacts;
  /** The second most recent: a short chat to open from the list. */
  second: ChatFacts;
  long: ChatFacts;
}

const facts = (chat: SavedChat): ChatFacts => ({
  title: chat.title,
  messages: chat.messages.length,
  chars: chat.messages.reduce((sum, m) => sum + m.content.length, 0),
  lastText: chat.messages.at(-1)?.content.slice(0, 40) ?? '',
});

/**
 * `chats` conversations of 4 messages, one of which (the `longRank`-th most recent) has
 * `longMessages`; times are one minute apart, ending at `now`.
 */
export function storedChats({
  chats,
  longMessages,
  longRank,
  now,
}: {
  chats: number;
  longMessages: number;
  longRank: number;
  now: number;
}): StoredChats {
  const all: SavedChat[] = Array.from({ length: chats }, (_, rank): SavedChat => {
    const long = rank === longRank;
    const updatedAt = now - rank * 60_000;
    const messages = conversation(long ? longMessages : 4, rank * 13, updatedAt);
    const title = long
      ? `Long conversation of ${longMessages} messages`
      : `Chat ${rank + 1}: ${words(rank, 5)}`;
    return {
      version: 2,
      id: `bench-chat-${rank + 1}`,
      title,
      renamed: true,
      createdAt: updatedAt - 3_600_000,
      updatedAt,
      messages,
      currentLeafId: messages.at(-1)?.id ?? null,
      settings: { systemPrompt: '', sampling: { temperature: 0.7, maxTokens: 512 } },
    };
  });
  const long = all[longRank];
  if (!long || !all[0] || !all[1])
    throw new Error('storedChats: at least 2 chats, longRank below chats');
  return {
    json: chatsAsJson(all, new Date(now)),
    chats,
    latest: facts(all[0]),
    second: facts(all[1]),
    long: facts(long),
  };
}
