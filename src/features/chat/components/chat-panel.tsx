import { useMemo } from 'react';
import { useEngineValue } from '../../../lib/engine-context.tsx';
import { isGenerating, loadedModel } from '../../../lib/engine-lifecycle.ts';
import { mayGenerate } from '../../../lib/engine-store.ts';
import { useChat, useChatStore } from '../chat-context.tsx';
import type { ChatMode } from '../chat-store.ts';
import { pathTo } from '../chat-tree.ts';
import { Composer } from './composer.tsx';
import { GenerationSettings } from './generation-settings.tsx';
import { MessageList } from './message-list.tsx';
import { ThinkingSwitch } from './thinking-switch.tsx';

export function ChatPanel() {
  const model = useEngineValue((s) => loadedModel(s.state));
  const generating = useEngineValue((s) => isGenerating(s.state));
  const canSend = useEngineValue(mayGenerate);
  const chat = useChatStore();
  const { messages, currentLeafId, modeOverride, sampling, thinking, saveError } = useChat();
  const shown = useMemo(() => pathTo(messages, currentLeafId), [messages, currentLeafId]);

  const mode: ChatMode = modeOverride ?? (model && !model.hasChatTemplate ? 'complete' : 'chat');

  return (
    <section aria-labelledby="chat-heading" className="panel chat">
      <header className="chat-header">
        <h2 id="chat-heading">Chat</h2>
        <button type="button" onClick={() => chat.newChat()} disabled={messages.length === 0}>
          New chat
        </button>
      </header>
      <GenerationSettings
        mode={mode}
        sampling={sampling}
        hasChatTemplate={model?.hasChatTemplate ?? true}
        onMode={(modeOverride) => chat.set((s) => ({ ...s, modeOverride }))}
        onSampling={(sampling) => chat.set((s) => ({ ...s, sampling }))}
      />
      {mode === 'chat' && model?.thinking.switchable && (
        <ThinkingSwitch
          on={thinking}
          onChange={(on) => chat.set((s) => ({ ...s, thinking: on }))}
        />
      )}
      <MessageList messages={shown} mode={mode} />
      {saveError && (
        <p role="alert" className="alert">
          {saveError}
        </p>
      )}
      <Composer
        canSend={canSend}
        generating={generating}
        placeholder={
          !model
            ? 'Load a model to start.'
            : mode === 'complete'
              ? 'Write the start of a text; the model continues it.'
              : 'Message the model (Enter sends, Shift+Enter for a new line).'
        }
        onSend={(text) => void chat.send(text, mode)}
        onStop={() => chat.stop()}
      />
    </section>
  );
}
