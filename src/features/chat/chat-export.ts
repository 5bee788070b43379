import type { SavedChat } from './chat-archive.ts';
import { pathTo } from './chat-tree.ts';

/** Every conversation as one JSON document: the same records the archive stores. */
export function chatsAsJson(chats: readonly SavedChat[], exportedAt = new Date()): string {
  return JSON.stringify({ app: 'tab-llm', exportedAt: exportedAt.toISOString(), chats }, null, 2);
}

/** One conversation as readable Markdown: the version of it that is shown. */
export function chatAsMarkdown(chat: SavedChat): string {
  const lines = [`# ${chat.title}`, '', `_${new Date(chat.createdAt).toISOString()}_`, ''];
  for (const message of pathTo(chat.messages, chat.currentLeafId)) {
    lines.push(`## ${message.role === 'user' ? 'You' : 'Model'}`, '', message.content, '');
  }
  return lines.join('\n');
}
