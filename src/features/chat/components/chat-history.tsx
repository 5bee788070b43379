import { ConfirmButton } from '../../../components/ui/confirm-button.tsx';
import { useEngineValue } from '../../../lib/engine-context.tsx';
import { isGenerating } from '../../../lib/engine-lifecycle.ts';
import { saveFile } from '../../../lib/save-file.ts';
import { formatCount } from '../../../lib/format.ts';
import { useChat, useChatStore } from '../chat-context.tsx';
import { chatAsMarkdown, chatsAsJson } from '../chat-export.ts';
import { ImportChats } from './import-chats.tsx';

const when = (time: number) =>
  new Date(time).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });

/** Stored conversations: reopen, export, delete. They live only in this browser. */
export function ChatHistory() {
  const chat = useChatStore();
  const { chatId, saved } = useChat();
  const busy = useEngineValue((s) => isGenerating(s.state));
  // Switching conversations mid-answer would leave the answer without a home.
  const open = saved.find((c) => c.id === chatId);

  return (
    <section aria-labelledby="history-heading" className="panel history">
      <h2 id="history-heading">Chats</h2>
      <p className="hint">Stored only in this browser.</p>
      {saved.length === 0 ? (
        <p>No saved chats yet.</p>
      ) : (
        <ul className="chat-list" aria-label="Saved chats">
          {saved.map((c) => (
            <li key={c.id} aria-current={c.id === chatId ? 'true' : undefined}>
              <button
                type="button"
                className="link"
                disabled={busy}
                onClick={() => chat.open(c.id)}
              >
                {c.title}
              </button>
              <span className="hint">{when(c.updatedAt)}</span>
              <button
                type="button"
                aria-label={`Delete chat: ${c.title}`}
                disabled={busy}
                onClick={() => void chat.remove(c.id)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="actions">
        <button
          type="button"
          disabled={!open}
          onClick={() => {
            if (open) saveFile(`${open.title}.md`, chatAsMarkdown(open), 'text/markdown');
          }}
        >
          Download this chat
        </button>
        <button
          type="button"
          disabled={saved.length === 0}
          onClick={() => saveFile('tab-llm-chats.json', chatsAsJson(saved), 'application/json')}
        >
          Export all
        </button>
        <ImportChats />
        <ConfirmButton
          label="Delete all chats"
          confirmLabel={`Delete ${formatCount(saved.length, 'chat')}`}
          cancelLabel="Keep them"
          groupLabel="Confirm deleting all chats"
          disabled={saved.length === 0 || busy}
          onConfirm={() => void chat.removeAll()}
        />
      </div>
    </section>
  );
}
