// @vitest-environment jsdom
import { IDBFactory } from 'fake-indexeddb';
import '@testing-library/jest-dom/vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderWithEngine } from '../../../lib/testing/render-with-engine.tsx';
import type { FakeEngineScript } from '../../../lib/testing/fake-engine-api.ts';
import { ChatProvider } from '../chat-context.tsx';
import { ChatPanel } from './chat-panel.tsx';

// Each test starts with an empty browser: no stored chats to reopen.
beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});
afterEach(cleanup);

/** The chat panel with a model loaded, over the fake engine. */
async function chatWithModel(script: FakeEngineScript = {}) {
  const rendered = await renderWithEngine(
    <ChatProvider>
      <ChatPanel />
    </ChatProvider>,
    script,
  );
  await rendered.services.engine.load({ engine: 'gguf', url: 'https://h/m.gguf', label: 'm' });
  return rendered;
}

const conversation = () => screen.getByRole('log', { name: 'Conversation' });

describe('chat panel and message list, over the fake engine', () => {
  it('streams the answer into the conversation, rendered as markdown', async () => {
    await chatWithModel({ answer: () => ['**Hello**', ' there'], tokenDelayMs: 5 });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Message'), 'Hi{Enter}');
    const answer = await within(conversation()).findByRole('article', { name: 'Model' });
    await waitFor(() => expect(answer).toHaveTextContent('Hello there'));
    expect(within(answer).getByText('Hello').tagName).toBe('STRONG');
    expect(within(conversation()).getByRole('article', { name: 'You' })).toHaveTextContent('Hi');
    expect(screen.getByRole('button', { name: 'Send' })).toBeInTheDocument();
  });

  it('Stop ends the answer with what had arrived, and the next message works', async () => {
    await chatWithModel({
      answer: () => Array.from({ length: 200 }, (_, i) => `w${i} `),
      tokenDelayMs: 5,
    });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Message'), 'Go{Enter}');
    const answer = await within(conversation()).findByRole('article', { name: 'Model' });
    await waitFor(() => expect(answer).toHaveTextContent('w3'));
    await user.click(screen.getByRole('button', { name: 'Stop' }));
    await within(answer).findByText('Stopped.');
    expect(answer).not.toHaveTextContent('w199');
    await user.type(screen.getByLabelText('Message'), 'Again{Enter}');
    await waitFor(() =>
      expect(within(conversation()).getAllByRole('article', { name: 'Model' })).toHaveLength(2),
    );
  });

  it('a mode radio shows its click at once, not a frame later', async () => {
    await chatWithModel();
    const completion = screen.getByRole('radio', { name: 'Text completion' });
    fireEvent.click(completion); // synchronous: no timer runs before the check below
    expect(completion).toBeChecked();
    expect(screen.getByRole('radio', { name: 'Chat' })).not.toBeChecked();
  });

  it('shows a failed answer’s message and keeps the conversation', async () => {
    await chatWithModel({ generateError: { kind: 'context-overflow', contextSize: 512 } });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Message'), 'A very long message{Enter}');
    const alert = await within(conversation()).findByRole('alert');
    expect(alert).toHaveTextContent("no longer fits in the model's context window (512 tokens)");
    expect(within(conversation()).getByRole('article', { name: 'You' })).toHaveTextContent(
      'A very long message',
    );
  });
});

describe('reasoning, over the fake engine', () => {
  const thinkingOf = (answer: HTMLElement, name: string | RegExp) =>
    within(answer).findByRole('group', { name });

  it('streams the thinking open, then folds it with its time when the answer starts', async () => {
    // The tags arrive cut across pieces, as a tokenizer cuts them.
    const pieces = ['<', 'thi', 'nk>', 'Let me ', 'consider **this**', '.</', 'think', '>\n\n'];
    const rest = Array.from({ length: 10 }, (_, i) => `word${String(i)} `);
    await chatWithModel({ answer: () => [...pieces, ...rest], tokenDelayMs: 20 });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Message'), 'Hi{Enter}');
    const answer = await within(conversation()).findByRole('article', { name: 'Model' });

    const thinking = await thinkingOf(answer, 'Thinking…');
    expect(thinking).toHaveAttribute('open');
    await waitFor(() => expect(thinking).toHaveTextContent('Let me consider this'));
    // Reasoning is model output: rendered through the same markdown as the answer.
    expect(within(thinking).getByText('this').tagName).toBe('STRONG');

    const thought = await thinkingOf(answer, /^Thought for \d+\.\d s$/);
    await waitFor(() => expect(thought).not.toHaveAttribute('open'));
    await waitFor(() => expect(answer).toHaveTextContent('word9'));
    expect(answer).not.toHaveTextContent(/<|think>/);
    const text = answer.querySelector('.text');
    expect(text).not.toHaveTextContent('Let me');
    expect(text).toHaveTextContent(/^word0/);
  });

  it('a think block that never closes stays open, and says the answer was cut', async () => {
    await chatWithModel({
      runs: [{ pieces: ['<think>', 'Step 1', ', step 2'], finishReason: 'length' }],
    });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Message'), 'Solve it{Enter}');
    const answer = await within(conversation()).findByRole('article', { name: 'Model' });
    await within(answer).findByText('Reached the max-tokens limit.');
    const thinking = await thinkingOf(answer, /^Thought for/);
    expect(thinking).toHaveAttribute('open');
    expect(thinking).toHaveTextContent('Step 1, step 2');
  });

  it('the thinking is not sent back with the history', async () => {
    const { api } = await chatWithModel({
      runs: [{ pieces: ['<think>secret ', 'plan</thi', 'nk>Public answer'] }, { pieces: ['Next'] }],
    });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Message'), 'First{Enter}');
    await within(conversation()).findByText('Public answer');
    await user.type(screen.getByLabelText('Message'), 'Second{Enter}');
    await within(conversation()).findByText('Next');
    const second = api.calls.filter((c) => c.method === 'generate')[1]?.request;
    expect(second?.mode === 'chat' && second.messages).toEqual([
      { role: 'user', content: 'First' },
      { role: 'assistant', content: 'Public answer' },
      { role: 'user', content: 'Second' },
    ]);
  });

  it('offers the thinking switch only for a model that has one, and sends it', async () => {
    const { api } = await chatWithModel({
      thinking: { switchable: true, startsInReasoning: false },
    });
    const user = userEvent.setup();
    const switchBox = screen.getByRole('checkbox', { name: 'Think before answering' });
    expect(switchBox).toBeChecked();
    await user.click(switchBox);
    await user.type(screen.getByLabelText('Message'), 'Quick{Enter}');
    await within(conversation()).findByRole('article', { name: 'Model' });
    expect(api.calls.find((c) => c.method === 'generate')?.request).toMatchObject({
      thinking: false,
    });
    await user.click(screen.getByRole('radio', { name: 'Text completion' }));
    expect(screen.queryByRole('checkbox', { name: 'Think before answering' })).toBeNull();
  });

  it('no thinking switch for a model without one', async () => {
    await chatWithModel();
    expect(screen.queryByRole('checkbox', { name: 'Think before answering' })).toBeNull();
  });
});
