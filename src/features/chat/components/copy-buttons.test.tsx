// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MarkdownView } from './markdown-view.tsx';
import { CopyButton } from './message-actions.tsx';

/** A clipboard that keeps what it was given, or refuses (as a page without permission gets). */
function fakeClipboard(refuse = false) {
  const written: string[] = [];
  const writeText = vi.fn((text: string) => {
    if (refuse) return Promise.reject(new DOMException('denied', 'NotAllowedError'));
    written.push(text);
    return Promise.resolve();
  });
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
  return written;
}

afterEach(() => {
  cleanup();
  Reflect.deleteProperty(navigator, 'clipboard');
});

describe('copy buttons', () => {
  it('copies a code block as its text, without the markdown fence or the button', async () => {
    render(<MarkdownView text={'Run this:\n\n```sh\necho "<b>hi</b>"\n```\n\nThen that.'} />);
    const user = userEvent.setup();
    const written = fakeClipboard();
    await user.click(screen.getByRole('button', { name: 'Copy code' }));
    expect(written).toEqual(['echo "<b>hi</b>"\n']);
    await waitFor(() => expect(screen.getByRole('button').textContent).toBe('Copied'));
  });

  it('copies a whole message, and says so when the browser refuses', async () => {
    const user = userEvent.setup();
    const written = fakeClipboard();
    const { unmount } = render(<CopyButton text="All of it" label="Copy this answer" />);
    await user.click(screen.getByRole('button', { name: 'Copy this answer' }));
    expect(written).toEqual(['All of it']);
    await waitFor(() => expect(screen.getByRole('button').textContent).toBe('Copied'));
    unmount();

    fakeClipboard(true);
    render(<CopyButton text="All of it" label="Copy this answer" />);
    await user.click(screen.getByRole('button', { name: 'Copy this answer' }));
    await waitFor(() => expect(screen.getByRole('button').textContent).toBe('Copy failed'));
  });
});
