import { useMemo } from 'react';
import type { ChatMessage, MessageId } from '../chat-archive.ts';
import type { ChatMode, ChatStore } from '../chat-store.ts';

/**
 * What a message list needs from a chat to offer its controls (regenerate, switch versions,
 * delete) and to mark what the latest answer could not see: that answer's own record, as the
 * engine reported it.
 */
export function useMessageControls(chat: ChatStore, shown: readonly ChatMessage[], mode: ChatMode) {
  const leftOut = useMemo(
    () => new Set(shown.findLast((m) => m.context !== undefined)?.context?.leftOutIds ?? []),
    [shown],
  );
  const handlers = useMemo(
    () => ({
      regenerate: (id: MessageId) => void chat.regenerate(id, mode),
      remove: (id: MessageId) => chat.removeMessage(id),
      switchTo: (id: MessageId) => chat.switchTo(id),
    }),
    [chat, mode],
  );
  return { leftOut, handlers };
}
