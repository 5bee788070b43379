// @vitest-environment jsdom
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { restoreChat } from '../chat-archive.ts';
import { pathTo } from '../chat-tree.ts';
import { MESSAGE_WINDOW, MessageList } from './message-list.tsx';

const noop = () => undefined;

/** Renders a stored conversation as the chat panel shows it after a reload. */
function renderStored(record: unknown, leftOut: ReadonlySet<number> = new Set()) {
  const chat = restoreChat(record);
  if (!chat) throw new Error('the record did not restore');
  const root = document.createElement('div');
  root.innerHTML = renderToStaticMarkup(
    <MessageList
      messages={pathTo(chat.messages, chat.currentLeafId)}
      tree={chat.messages}
      mode="chat"
      busy={false}
      canSend
      leftOut={leftOut}
      handlers={{ regenerate: noop, remove: noop, switchTo: noop }}
      onEdit={noop}
    />,
  );
  return root;
}

describe('message list', () => {
  it('shows a stored answer whose error kind this version does not know', () => {
    const root = renderStored({
      version: 1,
      id: 'c',
      title: 'Hi',
      createdAt: 1,
      updatedAt: 1,
      messages: [
        { id: 1, role: 'user', text: 'Hi', status: 'done' },
        { id: 2, role: 'assistant', text: 'Half', status: 'error', error: { kind: 'gone-kind' } },
      ],
    });
    expect([...root.querySelectorAll('article')].map((a) => a.getAttribute('aria-label'))).toEqual([
      'You',
      'Model',
    ]);
    expect(root.querySelector('[role="alert"] .alert-title')?.textContent).toMatch(
      /"gone-kind".*not recognise/,
    );
  });

  it('shows only the path to the current leaf, content without reasoning', () => {
    const message = (id: number, parentId: number | null, role: string, content: string) => ({
      id,
      parentId,
      childIds: [],
      role,
      content,
      reasoning: 'hidden thoughts',
      status: 'done',
    });
    const root = renderStored({
      version: 2,
      id: 'c',
      title: 'Hi',
      createdAt: 1,
      updatedAt: 1,
      messages: [
        message(1, null, 'user', 'Hi'),
        message(2, 1, 'assistant', 'First answer'),
        message(3, 1, 'assistant', 'Second answer'),
      ],
      currentLeafId: 2,
    });
    expect([...root.querySelectorAll('.text')].map((t) => t.textContent.trim())).toEqual([
      'Hi',
      'First answer',
    ]);
  });

  it('shows which version of its turn an answer is, and marks what the context left out', () => {
    const message = (id: number, parentId: number | null, role: string, content: string) => ({
      id,
      parentId,
      role,
      content,
      status: 'done',
    });
    const root = renderStored(
      {
        version: 2,
        id: 'c',
        title: 'Hi',
        createdAt: 1,
        updatedAt: 1,
        messages: [
          message(1, null, 'user', 'Hi'),
          message(2, 1, 'assistant', 'First answer'),
          message(3, 1, 'assistant', 'Second answer'),
          message(4, 3, 'user', 'More'),
          {
            ...message(5, 4, 'assistant', 'Yes'),
            sampling: { temperature: 0, maxTokens: 9, seed: 3 },
          },
        ],
        currentLeafId: 5,
      },
      new Set([1, 3]),
    );
    const versions = root.querySelector('[aria-label="Versions of this answer"]');
    expect(versions?.textContent).toBe('‹2/2›');
    expect(root.querySelectorAll('[data-left-out]')).toHaveLength(2);
    const settings = [...root.querySelectorAll('[data-testid="answer-settings"]')];
    expect(settings.map((p) => p.textContent)).toEqual([
      'unknown model · no system prompt',
      'unknown model · temperature 0 · seed 3 · max 9 tokens · no system prompt',
    ]);
  });

  it('shows the latest messages of a long conversation, the earlier ones behind a button', () => {
    const count = MESSAGE_WINDOW + 7;
    const root = renderStored({
      version: 2,
      id: 'long',
      title: 'Long',
      createdAt: 1,
      updatedAt: 1,
      messages: Array.from({ length: count }, (_, i) => ({
        id: i + 1,
        parentId: i === 0 ? null : i,
        childIds: [],
        role: i % 2 === 0 ? 'user' : 'assistant',
        content: `message ${i + 1}`,
        reasoning: '',
        status: 'done',
      })),
      currentLeafId: count,
    });
    const texts = [...root.querySelectorAll('article .text')].map((t) => t.textContent.trim());
    expect(texts).toHaveLength(MESSAGE_WINDOW);
    expect(texts[0]).toBe('message 8');
    expect(texts.at(-1)).toBe(`message ${count}`);
    expect(root.querySelector('button.show-earlier')?.textContent).toBe(
      'Show 7 earlier messages of 7',
    );
  });
});
