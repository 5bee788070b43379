import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { errorMessage } from '../../../lib/error-messages.ts';
import { formatCount } from '../../../lib/format.ts';
import type { ChatMessage, MessageId } from '../chat-archive.ts';
import type { ChatMode } from '../chat-store.ts';
import { siblingsOf } from '../chat-tree.ts';
import { AnswerSettings } from './answer-settings.tsx';
import {
  EditMessage,
  MessageActions,
  type MessageHandlers,
  type Versions,
} from './message-actions.tsx';
import { AnswerSpeed } from './answer-speed.tsx';
import { MarkdownView } from './markdown-view.tsx';
import { ThinkingBlock } from './thinking-block.tsx';
import './conversation.css';

/** Which version of its turn each message of `path` is, by id. */
function versionsOf(tree: readonly ChatMessage[], path: readonly ChatMessage[]) {
  const versions = new Map<MessageId, Versions>();
  for (const message of path) {
    const siblings = siblingsOf(tree, message.id);
    const at = siblings.findIndex((m) => m.id === message.id);
    versions.set(message.id, {
      index: at + 1,
      count: siblings.length,
      previousId: siblings[at - 1]?.id ?? null,
      nextId: siblings[at + 1]?.id ?? null,
    });
  }
  return versions;
}

const single: Versions = { index: 1, count: 1, previousId: null, nextId: null };

/**
 * How many of the latest messages are on screen at first, and how many more each "Show earlier"
 * adds. Opening a conversation renders each shown answer's markdown and lays it all out in one
 * task: 300 messages held the main thread for 260–410 ms (bench figure 7). With this many shown,
 * the cost no longer grows with the conversation, nor does its DOM as it goes on.
 */
export const MESSAGE_WINDOW = 30;

/**
 * The shown path of the conversation. Model output is untrusted: it is rendered as sanitized
 * markdown; the user's text as plain text. `leftOut`: the messages the last answer did not see.
 */
export function MessageList({
  messages,
  tree,
  mode,
  busy,
  canSend,
  leftOut,
  handlers,
  onEdit,
}: {
  messages: ChatMessage[];
  tree: ChatMessage[];
  mode: ChatMode;
  /** An answer is being written: nothing may change the conversation. */
  busy: boolean;
  canSend: boolean;
  leftOut: ReadonlySet<MessageId>;
  handlers: Omit<MessageHandlers, 'startEdit'>;
  onEdit: (id: MessageId, text: string) => void;
}) {
  const [editingId, setEditingId] = useState<MessageId | null>(null);
  const [windowSize, setWindowSize] = useState(MESSAGE_WINDOW);
  const hidden = Math.max(0, messages.length - windowSize);
  const visible = useMemo(() => messages.slice(hidden), [messages, hidden]);
  const versions = useMemo(() => versionsOf(tree, visible), [tree, visible]);
  const allHandlers = useMemo(() => ({ ...handlers, startEdit: setEditingId }), [handlers]);
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
  // Earlier messages shown above: the reader stays where they were (this list has no scroll
  // anchoring, see conversation.css).
  const heightBeforeReveal = useRef<number | null>(null);
  useLayoutEffect(() => {
    const element = list.current;
    const before = heightBeforeReveal.current;
    if (!element || before === null) return;
    heightBeforeReveal.current = null;
    element.scrollTop += element.scrollHeight - before;
  }, [windowSize]);

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
      {hidden > 0 && (
        <button
          type="button"
          className="secondary show-earlier"
          onClick={() => {
            heightBeforeReveal.current = list.current?.scrollHeight ?? null;
            setWindowSize((size) => size + MESSAGE_WINDOW);
          }}
        >
          {`Show ${formatCount(Math.min(hidden, MESSAGE_WINDOW), 'earlier message')} of ${hidden}`}
        </button>
      )}
      {visible.map((message) =>
        message.id === editingId ? (
          <EditMessage
            key={message.id}
            initial={message.content}
            canSend={canSend}
            onCancel={() => setEditingId(null)}
            onSend={(text) => {
              setEditingId(null);
              onEdit(message.id, text);
            }}
          />
        ) : (
          <Message
            key={message.id}
            message={message}
            versions={versions.get(message.id) ?? single}
            busy={busy}
            leftOut={leftOut.has(message.id)}
            handlers={allHandlers}
          />
        ),
      )}
    </div>
  );
}

const Message = memo(function Message({
  message,
  versions,
  busy,
  leftOut,
  handlers,
}: {
  message: ChatMessage;
  versions: Versions;
  busy: boolean;
  leftOut: boolean;
  handlers: MessageHandlers;
}) {
  const who = message.role === 'user' ? 'You' : 'Model';
  return (
    <article
      aria-label={who}
      className={`message ${message.role}`}
      data-status={message.status}
      data-left-out={leftOut || undefined}
      // Focusable, so the settings shown on hover are shown to the keyboard too.
      tabIndex={-1}
    >
      <p className="who">{who}</p>
      {leftOut && (
        <p className="note left-out-note">
          Left out of the context: the model no longer sees this message.
        </p>
      )}
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
      {message.role === 'assistant' && message.status !== 'streaming' && (
        <AnswerSettings message={message} />
      )}
      {message.status !== 'streaming' && (
        <MessageActions message={message} versions={versions} busy={busy} handlers={handlers} />
      )}
    </article>
  );
});
