import { memo, useEffect, useRef } from 'react';
import { errorMessage } from '../../../lib/error-messages.ts';
import type { ChatMessage } from '../chat-archive.ts';
import type { ChatMode } from '../chat-store.ts';
import { MarkdownView } from './markdown-view.tsx';

/** Model output is untrusted: it is rendered as sanitized markdown; the user's text as plain text. */
export function MessageList({ messages, mode }: { messages: ChatMessage[]; mode: ChatMode }) {
  const end = useRef<HTMLDivElement>(null);
  const last = messages.at(-1);
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [last?.text.length, messages.length]);

  return (
    <div role="log" aria-label="Conversation" className="messages">
      {messages.length === 0 && (
        <p className="empty">
          {mode === 'complete'
            ? 'Text completion: write the start of a text and the model continues it.'
            : 'Your conversation stays in this tab. Nothing you type leaves this device.'}
        </p>
      )}
      {messages.map((message) => (
        <Message key={message.id} message={message} />
      ))}
      <div ref={end} />
    </div>
  );
}

const Message = memo(function Message({ message }: { message: ChatMessage }) {
  const who = message.role === 'user' ? 'You' : 'Model';
  return (
    <article aria-label={who} className={`message ${message.role}`} data-status={message.status}>
      <p className="who">{who}</p>
      <div className="text">
        {message.role === 'assistant' ? (
          <MarkdownView text={message.text} />
        ) : (
          <p className="plain">{message.text}</p>
        )}
        {message.status === 'streaming' && message.text === '' && (
          <span className="cursor" aria-hidden="true" />
        )}
      </div>
      {message.status === 'stopped' && <p className="note">Stopped.</p>}
      {message.status === 'length' && <p className="note">Reached the max-tokens limit.</p>}
      {message.status === 'error' && message.error && (
        <div role="alert" className="alert">
          <p className="alert-title">{errorMessage(message.error).title}</p>
          <p>{errorMessage(message.error).action}</p>
        </div>
      )}
    </article>
  );
});
