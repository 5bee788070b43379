import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useEngineStore, usePreferenceStore } from '../../lib/engine-context.tsx';
import { useExternalStore } from '../../lib/external-store.ts';
import { createChatStore, type ChatStore } from './chat-store.ts';

const ChatContext = createContext<ChatStore | null>(null);

/** One conversation store for the chat panel and the chat history, restored from storage. */
export function ChatProvider({ children }: { children: ReactNode }) {
  const engine = useEngineStore();
  const preferences = usePreferenceStore();
  const [chat] = useState(() =>
    createChatStore(engine, undefined, undefined, () => ({
      systemPrompt: preferences.get().defaultSystemPrompt,
      contextPolicy: preferences.get().contextPolicy,
    })),
  );
  useEffect(() => void chat.restore(), [chat]);
  return <ChatContext.Provider value={chat}>{children}</ChatContext.Provider>;
}

export function useChatStore(): ChatStore {
  const store = useContext(ChatContext);
  if (!store) throw new Error('useChatStore needs a <ChatProvider> above it');
  return store;
}

export function useChat() {
  return useExternalStore(useChatStore());
}
