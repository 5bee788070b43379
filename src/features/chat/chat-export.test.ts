import { describe, expect, it } from 'vitest';
import type { SavedChat } from './chat-archive.ts';
import { chatAsMarkdown, chatsAsJson } from './chat-export.ts';
import { restoreChat } from './chat-archive.ts';

const answer = {
  role: 'assistant',
  reasoning: '',
  status: 'done',
  model: { key: 'gguf:https://h.example/m.gguf', label: 'm' },
  sampling: { temperature: 0.7, maxTokens: 512 },
  timings: {
    promptTokens: 5,
    outputTokens: 3,
    prefillMs: 20,
    decodeMs: 30,
    timeToFirstTokenMs: 40,
  },
} as const;

/** A question answered twice (regenerated): the second answer is the one shown. */
const chat: SavedChat = {
  version: 2,
  id: 'c1',
  title: 'Recipes',
  createdAt: Date.UTC(2026, 10, 22, 9, 30),
  updatedAt: Date.UTC(2026, 10, 22, 9, 31),
  messages: [
    {
      id: 1,
      parentId: null,
      childIds: [2, 3],
      role: 'user',
      content: 'A soup?',
      reasoning: '',
      status: 'done',
    },
    { ...answer, id: 2, parentId: 1, childIds: [], content: 'Leek soup.' },
    { ...answer, id: 3, parentId: 1, childIds: [], content: '**Tomato** soup.' },
  ],
  currentLeafId: 3,
};

describe('chat export', () => {
  it('writes JSON whose chats read back as the same records', () => {
    const parsed = JSON.parse(chatsAsJson([chat], new Date(0))) as { chats: unknown[] };
    expect(parsed.chats.map(restoreChat)).toEqual([chat]);
  });

  it('writes the version of a conversation that is shown as Markdown, with who said what', () => {
    expect(chatAsMarkdown(chat)).toBe(
      '# Recipes\n\n_2026-11-22T09:30:00.000Z_\n\n## You\n\nA soup?\n\n## Model\n\n**Tomato** soup.\n',
    );
  });
});
