import { describe, expect, it } from 'vitest';
import type { ChatMessage, SavedChat } from './chat-archive.ts';
import { searchChats } from './chat-search.ts';

const message = (id: number, role: ChatMessage['role'], content: string): ChatMessage => ({
  id,
  parentId: id === 1 ? null : id - 1,
  childIds: [],
  role,
  content,
  reasoning: '',
  status: 'done',
});
const chat = (id: string, title: string, ...contents: string[]): SavedChat => ({
  version: 2,
  id,
  title,
  createdAt: 1,
  updatedAt: 1,
  messages: contents.map((c, i) => message(i + 1, i % 2 === 0 ? 'user' : 'assistant', c)),
  currentLeafId: contents.length || null,
});

const chats = [
  chat('a', 'Cats', 'Tell me about cats', 'Cats purr.'),
  chat('b', 'Trip plan', 'Plan a trip to Lisbon', 'Day one: the Alfama.'),
  chat('c', 'Renamed by me', 'Dogs or CATS?', 'Both.'),
];
const ids = (query: string) => searchChats(chats, query).map((c) => c.id);

describe('chat search', () => {
  it('finds words in titles and in any message, in any case', () => {
    expect(ids('cats')).toEqual(['a', 'c']);
    expect(ids('ALFAMA')).toEqual(['b']);
    expect(ids('renamed')).toEqual(['c']);
  });

  it('needs every word, in any order', () => {
    expect(ids('dogs cats')).toEqual(['c']);
    expect(ids('cats lisbon')).toEqual([]);
  });

  it('keeps every chat for an empty query', () => {
    expect(ids('  ')).toEqual(['a', 'b', 'c']);
  });
});
