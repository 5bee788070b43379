import { memo, useLayoutEffect, useRef } from 'react';
import { errorMessage } from '../../../lib/error-messages.ts';
import type { ChatMessage } from '../chat-archive.ts';
import type { ChatMode } from '../chat-store.ts';
import { AnswerSpeed } from './answer-speed.tsx';
import { MarkdownView } from './markdown-view.tsx';
import { ThinkingBlock } from './thinking-block.tsx';

/** Model output is untrusted: it is rendered as sanitized markdown; the user's text as plain text. */
export function MessageList({ messages, mode }: { messages: ChatMessage[]; mode: ChatMode }) {
  const list = useRef<HTMLDivElement>(null);
  // Follow the answer only while the reader is at the bottom: scrolling up to read stays put.
  // Layout effects, so the new text is never painted before the scroll that reveals it.
  const following = useRef(true);
  const autoScrolledTo = useRef(0);
  const last = messages.at(-1);
  useLayoutEffect(() => {
    // A new message: show it, wherever the reader was.
    following.current = true;
    autoScrolledTo.current = 0;
  }, [messages.length]);
  useLayoutEffect(() => {
    const element = list.current;
    if (!element) return;
    // The reader may have scrolled up since the last frame, before the scroll event arrived.
    if (element.scrollTop < autoScrolledTo.current - 2) following.current = false;
    if (!following.current) return;
    element.scrollTop = element.scrollHeight;
    autoScrolledTo.current = element.scrollTop;
  }, [last?.content.length, last?.reasoning.length, messages.length]);

  return (
    <div
      ref={list}
      role="log"
      aria-label="Conversation"
      className="messages"
      onScroll={(event) => {
        const { scrollTop, scrollHeight, clientHeight } = event.currentTarget;
        following.current = scrollHeight - scrollTop - clientHeight < 40;
      }}
    >
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
    </div>
  );
}

const Message = memo(function Message({ message }: { message: ChatMessage }) {
  const who = message.role === 'user' ? 'You' : 'Model';
  return (
    <article aria-label={who} className={`message ${message.role}`} data-status={message.status}>
      <p className="who">{who}</p>
      {message.role === 'assistant' && message.reasoning !== '' && (
        <ThinkingBlock
          reasoning={message.reasoning}
          durationMs={message.reasoningMs}
          streaming={message.status === 'streaming'}
          answered={message.content !== ''}
        />
      )}
      <div className="text">
        {message.role === 'assistant' ? (
          <MarkdownView text={message.content} />
        ) : (
          <p className="plain">{message.content}</p>
        )}
        {message.status === 'streaming' && message.content === '' && message.reasoning === '' && (
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
      {message.role === 'assistant' && <AnswerSpeed message={message} />}
    </article>
  );
});
