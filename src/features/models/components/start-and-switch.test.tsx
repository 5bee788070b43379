// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { renderWithEngine } from '../../../lib/testing/render-with-engine.tsx';
import type { ModelSpec, StoredModel } from '../../../shared/engine-protocol.ts';
import { ggufCatalog } from '../gguf-catalog.ts';
import { ModelSwitcher } from './model-switcher.tsx';
import { StartCard } from './start-card.tsx';

const stored = (label: string, lastUsedAt: number): StoredModel => ({
  spec: { engine: 'gguf', url: `https://h/${label}.gguf`, label },
  status: 'complete',
  sizeBytes: 1000,
  storedBytes: 1000,
  quantization: 'Q4_0',
  storedAt: 1,
  lastUsedAt,
});

afterEach(cleanup);

describe('start card', () => {
  it('offers one model for this device with its size and reason, and loads it', async () => {
    const { api } = await renderWithEngine(<StartCard />);
    const card = await screen.findByRole('region', { name: 'Start chatting' });
    // The fake device: WebGPU with shader-f16 and 8 GiB, big buffers: the large rung.
    expect(card).toHaveTextContent('Llama-3.2-1B-Instruct Q4_K_M · 808 MB download');
    expect(within(card).getByTestId('start-reason')).toHaveTextContent(/8 GiB of memory or more/);
    await userEvent.setup().click(within(card).getByRole('button', { name: 'Start chatting' }));
    await waitFor(() => expect(api.loaded()).not.toBeNull());
    const entry = ggufCatalog.find(
      (e) => e.family === 'Llama-3.2-1B-Instruct' && e.quantization === 'Q4_K_M',
    );
    expect(api.calls.find((c) => c.method === 'load')?.spec).toEqual<ModelSpec>({
      engine: 'gguf',
      url: entry?.url ?? '',
      label: 'Llama-3.2-1B-Instruct Q4_K_M',
    });
    // A model is loaded: the card has nothing more to offer.
    await waitFor(() => expect(screen.queryByRole('region')).toBeNull());
  });

  it('offers the stored models, most recently used first, instead of a download', async () => {
    await renderWithEngine(<StartCard />, { stored: [stored('old', 1), stored('recent', 5)] });
    const card = await screen.findByRole('region', {
      name: 'Continue with a model on this device',
    });
    expect(
      within(card)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Load recent', 'Load old']);
    expect(within(card).queryByRole('button', { name: 'Start chatting' })).toBeNull();
  });
});

describe('model switcher', () => {
  it('names only a loaded model, and switches to a stored one from its menu', async () => {
    const { api, services } = await renderWithEngine(<ModelSwitcher />, {
      stored: [stored('a', 1), stored('b', 2)],
    });
    const status = screen.getByRole('status', { name: 'Loaded model' });
    expect(status).toHaveTextContent('No model loaded.');
    await services.engine.load(stored('a', 1).spec);
    await waitFor(() => expect(status).toHaveTextContent(/^a WebGPU \(Fake GPU\)/));

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Switch model' }));
    const menu = screen.getByRole('dialog', { name: 'Switch model' });
    expect(within(menu).getByRole('button', { name: 'Switch to a' })).toBeDisabled();
    await user.click(within(menu).getByRole('button', { name: 'Switch to b' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    await waitFor(() => expect(status).toHaveTextContent(/^b /));
    expect(api.loaded()?.spec).toEqual(stored('b', 2).spec);
  });

  it('closes its menu on Esc without letting the key reach the page', async () => {
    await renderWithEngine(<ModelSwitcher />);
    const reached: string[] = [];
    const listen = (event: KeyboardEvent) => reached.push(event.key);
    document.addEventListener('keydown', listen);
    const user = userEvent.setup();
    const button = screen.getByRole('button', { name: 'Switch model' });
    await user.click(button);
    expect(screen.getByRole('dialog', { name: 'Switch model' })).toHaveTextContent(
      'No models on this device yet.',
    );
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(button).toHaveFocus();
    expect(reached).toEqual([]);
    document.removeEventListener('keydown', listen);
  });
});
