import { useEffect } from 'react';
import { useChatStore } from '../features/chat/chat-context.tsx';
import { useEngineStore } from '../lib/engine-context.tsx';
import { isGenerating } from '../lib/engine-lifecycle.ts';
import { showView } from '../lib/routes.ts';
import { isNewChatShortcut, isStopShortcut } from '../lib/shortcuts.ts';

/** Focuses the composer once the chat view has rendered. */
const focusComposer = () =>
  requestAnimationFrame(() => document.getElementById('message')?.focus());

/**
 * The app-wide keys: Ctrl/Cmd+Shift+O starts a new chat from any view; Esc stops the answer being
 * streamed, unless an open menu or field took the key first (it then calls preventDefault).
 */
export function useShortcuts() {
  const chat = useChatStore();
  const engine = useEngineStore();
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (isNewChatShortcut(event)) {
        event.preventDefault();
        chat.newChat();
        showView('chat');
        focusComposer();
      } else if (
        isStopShortcut(event) &&
        !event.defaultPrevented &&
        isGenerating(engine.get().state)
      ) {
        event.preventDefault();
        chat.stop();
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [chat, engine]);
}
