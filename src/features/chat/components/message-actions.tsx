import { useState } from 'react';
import { ConfirmButton } from '../../../components/ui/confirm-button.tsx';
import type { ChatMessage, MessageId } from '../chat-archive.ts';

/** What a message's buttons do; one object for the whole list, so memoised messages keep it. */
export interface MessageHandlers {
  regenerate: (id: MessageId) => void;
  startEdit: (id: MessageId) => void;
  remove: (id: MessageId) => void;
  switchTo: (id: MessageId) => void;
}

/** Which version of its turn a message is, among its siblings (‹ 2/3 ›). */
export interface Versions {
  index: number;
  count: number;
  previousId: MessageId | null;
  nextId: MessageId | null;
}

/** Copies `text` and says so for a moment; a refused clipboard says that instead. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
      aria-label={label}
      onClick={() => {
        navigator.clipboard.writeText(text).then(
          () => setState('copied'),
          () => setState('failed'),
        );
        setTimeout(() => setState('idle'), 1500);
      }}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
    </button>
  );
}

/**
 * The buttons under a message: its versions, copy, and, while no answer is being written,
 * regenerate (an answer), edit (a question) and delete.
 */
export function MessageActions({
  message,
  versions,
  busy,
  handlers,
}: {
  message: ChatMessage;
  versions: Versions;
  busy: boolean;
  handlers: MessageHandlers;
}) {
  const who = message.role === 'user' ? 'message' : 'answer';
  return (
    <div className="message-actions" role="group" aria-label={`Actions for this ${who}`}>
      {versions.count > 1 && (
        <span className="versions" role="group" aria-label={`Versions of this ${who}`}>
          <button
            type="button"
            aria-label="Previous version"
            disabled={busy || versions.previousId === null}
            onClick={() => versions.previousId !== null && handlers.switchTo(versions.previousId)}
          >
            ‹
          </button>
          <span>
            {versions.index}/{versions.count}
          </span>
          <button
            type="button"
            aria-label="Next version"
            disabled={busy || versions.nextId === null}
            onClick={() => versions.nextId !== null && handlers.switchTo(versions.nextId)}
          >
            ›
          </button>
        </span>
      )}
      <CopyButton text={message.content} label={`Copy this ${who}`} />
      {message.role === 'assistant' ? (
        <button type="button" disabled={busy} onClick={() => handlers.regenerate(message.id)}>
          Regenerate
        </button>
      ) : (
        <button type="button" disabled={busy} onClick={() => handlers.startEdit(message.id)}>
          Edit
        </button>
      )}
      <ConfirmButton
        label="Delete"
        confirmLabel={message.role === 'user' ? 'Delete it and what follows' : 'Delete it'}
        cancelLabel="Keep"
        groupLabel={`Confirm deleting this ${who}`}
        disabled={busy}
        onConfirm={() => handlers.remove(message.id)}
      />
    </div>
  );
}

/** An edit of a sent question: sending it starts a new branch beside the old one. */
export function EditMessage({
  initial,
  canSend,
  onSend,
  onCancel,
}: {
  initial: string;
  canSend: boolean;
  onSend: (text: string) => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState(initial);
  return (
    <form
      className="edit-message"
      onSubmit={(event) => {
        event.preventDefault();
        if (canSend && text.trim()) onSend(text);
      }}
    >
      <label className="field">
        Edit your message
        <textarea
          rows={3}
          value={text}
          autoFocus
          onChange={(event) => setText(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Escape') onCancel();
          }}
        />
      </label>
      <button type="submit" disabled={!canSend || !text.trim()}>
        Send edit
      </button>
      <button type="button" className="secondary" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
