import { memo, useMemo, useState } from 'react';
import { ConfirmButton } from '../../../components/ui/confirm-button.tsx';
import { useEngineValue } from '../../../lib/engine-context.tsx';
import { isGenerating } from '../../../lib/engine-lifecycle.ts';
import { saveFile } from '../../../lib/save-file.ts';
import { formatCount } from '../../../lib/format.ts';
import { useChat, useChatStore } from '../chat-context.tsx';
import type { SavedChat } from '../chat-archive.ts';
import { chatAsMarkdown, chatsAsJson } from '../chat-export.ts';
import { searchChats } from '../chat-search.ts';
import { ImportChats } from './import-chats.tsx';

// One formatter for every row: `toLocaleString` builds a new one per call, which for 500 stored
// chats held the main thread for about 90 ms each time the list rendered.
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });
const when = (time: number) => dateTime.format(time);

/**
 * Chats listed at first, and how many more each "Show more" adds (search covers them all):
 * listing 500 at once left an 80–90 ms task when the app opened (bench figure 7).
 */
export const CHAT_PAGE = 100;

/**
 * Stored conversations: search, reopen, rename, export, delete. They live only in this browser.
 * `onOpen` runs after a conversation is opened (the app shows the chat view).
 */
export function ChatHistory({ onOpen }: { onOpen?: () => void }) {
  const chat = useChatStore();
  const { chatId, saved } = useChat();
  const busy = useEngineValue((s) => isGenerating(s.state));
  const [query, setQuery] = useState('');
  const [renaming, setRenaming] = useState<string | null>(null);
  const [listed, setListed] = useState(CHAT_PAGE);
  const shown = useMemo(() => searchChats(saved, query), [saved, query]);
  // Switching conversations mid-answer would leave the answer without a home.
  const open = saved.find((c) => c.id === chatId);

  return (
    <section aria-labelledby="history-heading" className="panel history">
      <h2 id="history-heading">Chats</h2>
      <p className="hint">Stored only in this browser.</p>
      {saved.length > 0 && (
        <input
          type="search"
          className="chat-search"
          aria-label="Search chats"
          placeholder="Search chats"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
      )}
      {saved.length === 0 ? (
        <p>No saved chats yet.</p>
      ) : shown.length === 0 ? (
        <p className="hint">No chat contains “{query.trim()}”.</p>
      ) : (
        <>
          <ul className="chat-list" aria-label="Saved chats">
            {shown.slice(0, listed).map((c) => (
              <ChatRow
                key={c.id}
                chat={c}
                current={c.id === chatId}
                busy={busy}
                renaming={renaming === c.id}
                onRename={setRenaming}
                onOpen={onOpen}
              />
            ))}
          </ul>
          {shown.length > listed && (
            <button
              type="button"
              className="secondary"
              onClick={() => setListed((n) => n + CHAT_PAGE)}
            >
              {`Show ${formatCount(Math.min(CHAT_PAGE, shown.length - listed), 'more chat')} of ${shown.length - listed}`}
            </button>
          )}
        </>
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

/**
 * One stored chat. Memoised: opening a chat changes two rows, not every row of a long list.
 * `onRename(id)` starts renaming it; `onRename(null)` ends that.
 */
const ChatRow = memo(function ChatRow({
  chat: c,
  current,
  busy,
  renaming,
  onRename,
  onOpen,
}: {
  chat: SavedChat;
  current: boolean;
  busy: boolean;
  renaming: boolean;
  onRename: (id: string | null) => void;
  onOpen: (() => void) | undefined;
}) {
  const chat = useChatStore();
  return (
    <li aria-current={current ? 'true' : undefined}>
      {renaming ? (
        <RenameForm
          chat={c}
          onDone={(title) => {
            onRename(null);
            if (title !== null) void chat.rename(c.id, title);
          }}
        />
      ) : (
        <>
          <button
            type="button"
            className="link"
            disabled={busy}
            onClick={() => {
              chat.open(c.id);
              onOpen?.();
            }}
          >
            {c.title}
          </button>
          <span className="hint">{when(c.updatedAt)}</span>
          <button
            type="button"
            className="icon"
            aria-label={`Rename chat: ${c.title}`}
            title="Rename"
            onClick={() => onRename(c.id)}
          >
            ✎
          </button>
          <button
            type="button"
            className="icon"
            aria-label={`Delete chat: ${c.title}`}
            title="Delete"
            disabled={busy}
            onClick={() => void chat.remove(c.id)}
          >
            ×
          </button>
        </>
      )}
    </li>
  );
});

/** Inline renaming: Enter or Save keeps the title, Esc or Cancel leaves it as it was. */
function RenameForm({ chat, onDone }: { chat: SavedChat; onDone: (title: string | null) => void }) {
  const [title, setTitle] = useState(chat.title);
  return (
    <form
      className="rename"
      onSubmit={(event) => {
        event.preventDefault();
        onDone(title);
      }}
    >
      <input
        aria-label="Chat title"
        value={title}
        // The field the user just asked for.
        autoFocus
        onChange={(event) => setTitle(event.target.value)}
        onKeyDown={(event) => {
          if (event.key !== 'Escape') return;
          // Esc cancels the rename only; it must not also stop an answer.
          event.preventDefault();
          event.stopPropagation();
          onDone(null);
        }}
      />
      <button type="submit">Save</button>
      <button
        type="button"
        className="secondary"
        aria-label="Cancel renaming"
        onClick={() => onDone(null)}
      >
        Cancel
      </button>
    </form>
  );
}
