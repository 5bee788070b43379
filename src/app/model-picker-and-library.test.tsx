// @vitest-environment jsdom
// In src/app: like the app, this test composes two features.
import '@testing-library/jest-dom/vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { renderWithEngine } from '../lib/testing/render-with-engine.tsx';
import type { StoredModel } from '../shared/engine-protocol.ts';
import { LibraryPanel } from '../features/library/components/library-panel.tsx';
import { ModelPicker } from '../features/models/components/model-picker.tsx';

const storedModel: StoredModel = {
  spec: { engine: 'gguf', url: 'https://h/tiny.gguf', label: 'tiny' },
  status: 'complete',
  sizeBytes: 1000,
  storedBytes: 1000,
  quantization: 'Q4_0',
  storedAt: 1,
  lastUsedAt: null,
};

afterEach(cleanup);

describe('model picker and library, over the fake engine', () => {
  it('the library’s Load uses the backend chosen in the picker', async () => {
    const { api } = await renderWithEngine(
      <>
        <ModelPicker />
        <LibraryPanel />
      </>,
      { stored: [storedModel] },
    );
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText('GGUF backend'), 'cpu');
    const library = screen.getByRole('region', { name: 'Library' });
    await user.click(await within(library).findByRole('button', { name: 'Load tiny' }));
    await waitFor(() => expect(api.loaded()).not.toBeNull());
    expect(api.calls.filter((c) => c.method === 'load').map((c) => c.backend)).toEqual(['cpu']);
    expect(api.loaded()?.backend).toEqual({ kind: 'cpu', threads: 1 });
  });

  it('disables every Load while a model loads', async () => {
    // The load is held mid-way, so that "while it loads" does not race the fake engine's timers.
    let release = () => {};
    const holdLoad = new Promise<void>((resolve) => (release = resolve));
    await renderWithEngine(<LibraryPanel />, { stored: [storedModel], holdLoad });
    const load = await screen.findByRole('button', { name: 'Load tiny' });
    const user = userEvent.setup();
    await user.click(load);
    expect(load).toBeDisabled();
    release();
    await waitFor(() => expect(load).toBeEnabled());
  });

  it('offers Resume only for a partial download that kept bytes', async () => {
    const partial = (label: string, storedBytes: number): StoredModel => ({
      ...storedModel,
      spec: { engine: 'gguf', url: `https://h/${label}.gguf`, label },
      status: 'partial',
      storedBytes,
    });
    await renderWithEngine(<LibraryPanel />, {
      stored: [partial('half', 500), partial('cut-early', 0)],
    });
    const half = await screen.findByRole('listitem', { name: 'half' });
    expect(within(half).getByRole('button', { name: 'Resume half' })).toBeInTheDocument();
    expect(half).toHaveTextContent('500 B of 1.0 KB stored');
    const cut = screen.getByRole('listitem', { name: 'cut-early' });
    expect(within(cut).queryByRole('button', { name: /Resume/ })).not.toBeInTheDocument();
    expect(within(cut).getByRole('button', { name: 'Download cut-early' })).toBeInTheDocument();
    expect(cut).toHaveTextContent('nothing stored yet of 1.0 KB');
  });
});
