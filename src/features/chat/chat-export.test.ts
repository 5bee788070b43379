import { describe, expect, it } from 'vitest';
import type { SavedChat } from './chat-archive.ts';
import { chatAsMarkdown, chatsAsJson } from './chat-export.ts';
import { restoreChat } from './chat-archive.ts';

const chat: SavedChat = {
  version: 1,
  id: 'c1',
  title: 'Recipes',
  createdAt: Date.UTC(2026, 10, 22, 9, 30),
  updatedAt: Date.UTC(2026, 10, 22, 9, 31),
  messages: [
    { id: 1, role: 'user', text: 'A soup?', status: 'done' },
    { id: 2, role: 'assistant', text: '**Tomato** soup.', status: 'done' },
  ],
};

describe('chat export', () => {
  it('writes JSON whose chats read back as the same records', () => {
    const parsed = JSON.parse(chatsAsJson([chat], new Date(0))) as { chats: unknown[] };
    expect(parsed.chats.map(restoreChat)).toEqual([chat]);
  });

  it('writes a conversation as Markdown with who said what', () => {
    expect(chatAsMarkdown(chat)).toBe(
      '# Recipes\n\n_2026-11-22T09:30:00.000Z_\n\n## You\n\nA soup?\n\n## Model\n\n**Tomato** soup.\n',
    );
  });
});
