import { useMemo, type ReactNode } from 'react';
import { useEngineValue } from '../../../lib/engine-context.tsx';
import { isGenerating, isWaitingForTab, loadedModel } from '../../../lib/engine-lifecycle.ts';
import { mayGenerate } from '../../../lib/engine-store.ts';
import { NEW_CHAT_KEYS } from '../../../lib/shortcuts.ts';
import { useChat, useChatStore } from '../chat-context.tsx';
import type { ChatMode } from '../chat-store.ts';
import { pathTo } from '../chat-tree.ts';
import { Composer } from './composer.tsx';
import { ContextMeter } from './context-meter.tsx';
import { GenerationSettings } from './generation-settings.tsx';
import { MessageList } from './message-list.tsx';
import { ThinkingSwitch } from './thinking-switch.tsx';
import { useMessageControls } from './use-message-controls.ts';

/**
 * The conversation at full height with the composer always below it. `beforeComposer` is what
 * the app puts between them (the start card while no model is loaded).
 */
export function ChatPanel({ beforeComposer }: { beforeComposer?: ReactNode }) {
  const model = useEngineValue((s) => loadedModel(s.state));
  const generating = useEngineValue((s) => isGenerating(s.state));
  const waitingForTab = useEngineValue((s) => isWaitingForTab(s.state));
  const canSend = useEngineValue(mayGenerate);
  const chat = useChatStore();
  const {
    chatId,
    messages,
    currentLeafId,
    modeOverride,
    sampling,
    systemPrompt,
    thinking,
    saveError,
  } = useChat();
  const shown = useMemo(() => pathTo(messages, currentLeafId), [messages, currentLeafId]);
  const mode: ChatMode = modeOverride ?? (model && !model.hasChatTemplate ? 'complete' : 'chat');
  const { leftOut, handlers } = useMessageControls(chat, shown, mode);

  return (
    <section aria-labelledby="chat-heading" className="chat">
      <header className="chat-header">
        <h2 id="chat-heading" className="visually-hidden">
          Chat
        </h2>
        <GenerationSettings
          mode={mode}
          sampling={sampling}
          hasChatTemplate={model?.hasChatTemplate ?? true}
          onMode={(modeOverride) => chat.set((s) => ({ ...s, modeOverride }))}
          systemPrompt={systemPrompt}
          onSampling={(sampling) => chat.setSettings({ sampling })}
          onSystemPrompt={(systemPrompt) => chat.setSettings({ systemPrompt })}
        />
        {mode === 'chat' && model?.thinking.switchable && (
          <ThinkingSwitch
            on={thinking}
            onChange={(on) => chat.set((s) => ({ ...s, thinking: on }))}
          />
        )}
        <button
          type="button"
          className="secondary"
          onClick={() => chat.newChat()}
          disabled={messages.length === 0}
          aria-keyshortcuts={NEW_CHAT_KEYS}
          title="New chat (Ctrl+Shift+O)"
        >
          New chat
        </button>
      </header>
      <ContextMeter path={shown} model={model} />
      <MessageList
        // Another conversation starts with its latest messages and no edit open.
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
      {saveError && (
        <p role="alert" className="alert">
          {saveError}
        </p>
      )}
      {beforeComposer}
      <Composer
        canSend={canSend}
        generating={generating}
        waitingForTab={waitingForTab}
        placeholder={
          !model
            ? 'Load a model to start.'
            : mode === 'complete'
              ? 'Write the start of a text; the model continues it.'
              : 'Message the model'
        }
        onSend={(text) => void chat.send(text, mode)}
        onStop={() => chat.stop()}
      />
    </section>
  );
}
