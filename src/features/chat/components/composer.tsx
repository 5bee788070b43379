import { useState, type KeyboardEvent } from 'react';
import './conversation.css';

export function Composer({
  canSend,
  generating,
  waitingForTab = false,
  placeholder,
  onSend,
  onStop,
  hint = 'Enter sends · Shift+Enter new line · Esc stops · Ctrl+Shift+O new chat',
}: {
  canSend: boolean;
  generating: boolean;
  /** The answer waits for another tab's model to finish (one answer at a time per browser). */
  waitingForTab?: boolean;
  placeholder: string;
  onSend: (text: string) => void;
  onStop: () => void;
  /** The keys that work where the composer is (the embedded widget has no app shortcuts). */
  hint?: string;
}) {
  const [text, setText] = useState('');

  const send = () => {
    if (!canSend || !text.trim()) return;
    onSend(text);
    setText('');
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends; Shift+Enter (and Enter while composing with an IME) inserts a new line.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <label htmlFor="message" className="visually-hidden">
        Message
      </label>
      <textarea
        id="message"
        rows={2}
        aria-describedby="composer-hint"
        value={text}
        placeholder={placeholder}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      {generating ? (
        <button type="button" onClick={onStop}>
          Stop
        </button>
      ) : (
        <button type="submit" disabled={!canSend || !text.trim()}>
          Send
        </button>
      )}
      <p id="composer-hint" className="composer-hint">
        {hint}
      </p>
      {waitingForTab && (
        <p role="status" className="composer-wait">
          Waiting for another tab: its model is answering, and this answer starts when it is done
          (one at a time, so that each runs at full speed). Stop cancels it.
        </p>
      )}
    </form>
  );
}
