import { useMemo, useState } from 'react';
import { MessageList } from '../../features/chat/components/message-list.tsx';
import { Composer } from '../../features/chat/components/composer.tsx';
import { useMessageControls } from '../../features/chat/components/use-message-controls.ts';
import { memoryChatArchive } from '../../features/chat/chat-archive.ts';
import { createChatStore } from '../../features/chat/chat-store.ts';
import { pathTo } from '../../features/chat/chat-tree.ts';
import { useEngineStore, useEngineValue } from '../../lib/engine-context.tsx';
import { isGenerating, isWaitingForTab, loadedModel } from '../../lib/engine-lifecycle.ts';
import { mayGenerate } from '../../lib/engine-store.ts';
import { useExternalStore } from '../../lib/external-store.ts';
import { useWidget } from '../widget-context.tsx';

/**
 * The visitor's chat: the app's message list and composer over a conversation kept in memory
 * only (the widget stores no chat), with the site's system prompt first in every request.
 */
export function WidgetChat() {
  const engine = useEngineStore();
  const { config } = useWidget();
  const [chat] = useState(() =>
    createChatStore(engine, memoryChatArchive(), Date.now, () => ({
      // The embedding site's instructions start every chat.
      systemPrompt: config.systemPrompt,
      contextPolicy: 'drop-oldest',
    })),
  );
  const { chatId, messages, currentLeafId } = useExternalStore(chat);
  const shown = useMemo(() => pathTo(messages, currentLeafId), [messages, currentLeafId]);
  const model = useEngineValue((s) => loadedModel(s.state));
  const generating = useEngineValue((s) => isGenerating(s.state));
  const waitingForTab = useEngineValue((s) => isWaitingForTab(s.state));
  const canSend = useEngineValue(mayGenerate);
  const mode = model && !model.hasChatTemplate ? 'complete' : 'chat';
  const { leftOut, handlers } = useMessageControls(chat, shown, mode);
  return (
    <section aria-label="Chat" className="chat">
      <div className="chat-actions">
        <button
          type="button"
          className="secondary"
          onClick={() => chat.newChat()}
          disabled={messages.length === 0}
        >
          New chat
        </button>
      </div>
      <MessageList
        key={chatId}
        messages={shown}
        tree={messages}
        mode={mode}
        busy={generating}
        canSend={canSend}
        leftOut={leftOut}
        handlers={handlers}
        onEdit={(id, text) => void chat.edit(id, text, mode)}
      />
      <Composer
        canSend={canSend}
        generating={generating}
        waitingForTab={waitingForTab}
        placeholder={config.placeholder}
        onSend={(text) => void chat.send(text, mode)}
        onStop={() => chat.stop()}
        hint="Enter sends · Shift+Enter new line"
      />
    </section>
  );
}
