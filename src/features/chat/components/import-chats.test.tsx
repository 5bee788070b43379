// @vitest-environment jsdom
import { IDBFactory } from 'fake-indexeddb';
import '@testing-library/jest-dom/vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderWithEngine } from '../../../lib/testing/render-with-engine.tsx';
import type { SavedChat } from '../chat-archive.ts';
import { ChatProvider } from '../chat-context.tsx';
import { chatsAsJson } from '../chat-export.ts';
import { CHAT_PAGE, ChatHistory } from './chat-history.tsx';

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});
afterEach(cleanup);

const chat = (id: string, title: string): SavedChat => ({
  version: 2,
  id,
  title,
  createdAt: 1,
  updatedAt: 2,
  messages: [
    {
      id: 1,
      parentId: null,
      childIds: [],
      role: 'user',
      content: title,
      reasoning: '',
      status: 'done',
    },
  ],
  currentLeafId: 1,
});

/** A picked file. jsdom's File has no `text()` (browsers' has), so the test gives it one. */
function jsonFile(text: string): File {
  const file = new File([text], 'chats.json', { type: 'application/json' });
  Object.defineProperty(file, 'text', { value: () => Promise.resolve(text) });
  return file;
}

async function history() {
  await renderWithEngine(
    <ChatProvider>
      <ChatHistory />
    </ChatProvider>,
  );
  return { user: userEvent.setup(), input: screen.getByLabelText('Import chats') };
}

describe('importing chats', () => {
  it('adds the chats of an export and says how many', async () => {
    const { user, input } = await history();
    await user.upload(input, jsonFile(chatsAsJson([chat('a', 'Alpha'), chat('b', 'Beta')])));
    await waitFor(() => expect(screen.getByText('Imported 2 chats.')).toBeVisible());
    const list = screen.getByRole('list', { name: 'Saved chats' });
    expect(within(list).getByRole('button', { name: 'Alpha' })).toBeInTheDocument();
    expect(within(list).getByRole('button', { name: 'Beta' })).toBeInTheDocument();
  });

  it('refuses a hostile file with the reason, and changes nothing', async () => {
    const { user, input } = await history();
    await user.upload(input, jsonFile(chatsAsJson([chat('a', 'Alpha')])));
    await waitFor(() => expect(screen.getByText('Imported 1 chat.')).toBeVisible());

    const hostile = `{"app":"tab-llm","chats":[],"__proto__":{"isAdmin":true}}`;
    await user.upload(input, jsonFile(hostile));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Not imported. The file is not a chat export. It holds the key "__proto__"',
    );
    const list = screen.getByRole('list', { name: 'Saved chats' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(1);

    await user.upload(input, jsonFile('{ not json'));
    expect(await screen.findByRole('alert')).toHaveTextContent('The file is not JSON');
    expect(within(list).getAllByRole('listitem')).toHaveLength(1);
  });
});

describe('a long chat list', () => {
  it('lists the most recent chats first and the rest a page at a time', async () => {
    const { user, input } = await history();
    const count = CHAT_PAGE + 5;
    const chats = Array.from({ length: count }, (_, i) => ({
      ...chat(`c${i}`, `Chat ${i}`),
      updatedAt: 1000 - i,
    }));
    await user.upload(input, jsonFile(chatsAsJson(chats)));
    await waitFor(() => expect(screen.getByText(`Imported ${count} chats.`)).toBeVisible());
    const list = screen.getByRole('list', { name: 'Saved chats' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(CHAT_PAGE);
    expect(within(list).getAllByRole('listitem')[0]).toHaveTextContent('Chat 0');
    await user.click(screen.getByRole('button', { name: 'Show 5 more chats of 5' }));
    expect(within(list).getAllByRole('listitem')).toHaveLength(count);
    expect(within(list).getByRole('button', { name: `Chat ${count - 1}` })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /more chat/ })).toBeNull();
  });
});
