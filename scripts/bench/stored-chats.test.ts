import { describe, expect, it } from 'vitest';
import { readChatExport } from '../../src/features/chat/chat-import.ts';
import { pathTo } from '../../src/features/chat/chat-tree.ts';
import { storedChats } from './stored-chats.ts';

describe('the long-use figure’s stored chats', () => {
  const seeded = storedChats({
    chats: 500,
    longMessages: 300,
    longRank: 20,
    now: 1_800_000_000_000,
  });

  it('are an export the app imports whole, with the long conversation where it was put', () => {
    const check = readChatExport(seeded.json);
    if (!check.ok) throw new Error(check.reason);
    expect(check.chats).toHaveLength(500);
    const long = check.chats[20];
    expect(long?.title).toBe(seeded.long.title);
    // The shown path is every message: the whole conversation is on screen when it opens.
    expect(pathTo(long?.messages ?? [], long?.currentLeafId ?? null)).toHaveLength(300);
    expect(check.chats.filter((c) => c.messages.length === 4)).toHaveLength(499);
  });

  it('put the most recent chat first and the long one among the older ones', () => {
    const check = readChatExport(seeded.json);
    if (!check.ok) throw new Error(check.reason);
    const byRecency = [...check.chats].sort((a, b) => b.updatedAt - a.updatedAt);
    expect(byRecency[0]?.title).toBe(seeded.latest.title);
    expect(byRecency.findIndex((c) => c.title === seeded.long.title)).toBe(20);
  });

  it('are the same every time', () => {
    const again = storedChats({
      chats: 500,
      longMessages: 300,
      longRank: 20,
      now: 1_800_000_000_000,
    });
    expect(again.json).toBe(seeded.json);
    expect(seeded.json.length).toBeLessThan(4_000_000);
  });
});
