import type { SavedChat } from './chat-archive.ts';

/**
 * The conversations that contain every word of `query` (in any case), in their title or in any
 * message. An empty query keeps them all. Everything is on this device, so a plain scan is fast
 * enough for thousands of chats.
 */
export function searchChats(chats: readonly SavedChat[], query: string): SavedChat[] {
  const words = query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...chats];
  return chats.filter((chat) => {
    const text = [chat.title, ...chat.messages.map((m) => m.content)]
      .join('\n')
      .toLocaleLowerCase();
    return words.every((word) => text.includes(word));
  });
}
