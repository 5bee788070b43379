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
