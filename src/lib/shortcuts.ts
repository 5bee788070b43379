/**
 * The app's keyboard shortcuts, written once for the handler and for the controls that announce
 * them (`aria-keyshortcuts`, hints). Enter and Shift+Enter belong to the composer itself.
 */

/** New chat, as ChatGPT has it: Ctrl+Shift+O (Cmd+Shift+O on a Mac). */
export const NEW_CHAT_KEYS = 'Control+Shift+O Meta+Shift+O';

interface Keys {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export const isNewChatShortcut = (event: Keys): boolean =>
  (event.ctrlKey || event.metaKey) &&
  event.shiftKey &&
  !event.altKey &&
  event.key.toLowerCase() === 'o';

/** Esc stops the answer being streamed (unless something open, a menu, took the key first). */
export const isStopShortcut = (event: Keys): boolean =>
  event.key === 'Escape' && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.altKey;
