// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeDevice } from '../lib/testing/fake-engine-api.ts';
import { renderWithEngine } from '../lib/testing/render-with-engine.tsx';
import type { EngineError, ModelSpec } from '../shared/engine-protocol.ts';
import { EngineAlert } from './engine-alert.tsx';

const model: ModelSpec = { engine: 'gguf', url: 'https://h/tiny.gguf', label: 'tiny' };
const cut = (storedBytes: number): EngineError => ({
  kind: 'download-incomplete',
  url: model.url,
  expectedBytes: 2_000_000,
  receivedBytes: 500_000,
  storedBytes,
});

afterEach(cleanup);

describe('engine alert', () => {
  it('after a cut that kept nothing offers a new download, not Resume, and says why', async () => {
    const { services } = await renderWithEngine(<EngineAlert />, { loadError: () => cut(0) });
    await services.engine.load(model);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Nothing of it could be kept, so there is nothing to resume');
    expect(screen.getByRole('button', { name: 'Download again' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Resume' })).not.toBeInTheDocument();
    expect(alert).not.toHaveTextContent(/Resume/);
  });

  it('after a cut that kept bytes offers Resume', async () => {
    const { services } = await renderWithEngine(<EngineAlert />, {
      loadError: () => cut(262_144),
    });
    await services.engine.load(model);
    expect(await screen.findByRole('alert')).toHaveTextContent('262 KB are kept');
    expect(screen.getByRole('button', { name: 'Resume' })).toBeInTheDocument();
  });

  it('shows the attempt when a retry fails the same way', async () => {
    const { services, api } = await renderWithEngine(<EngineAlert />, {
      loadError: () => cut(0),
    });
    await services.engine.load(model);
    const first = await screen.findByRole('alert');
    // The first failure needs no count.
    expect(first).not.toHaveTextContent(/Attempt/);
    const paragraphs = () =>
      [...screen.getByRole('alert').querySelectorAll('p')].map((p) => p.textContent);
    const [title, action] = paragraphs();

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Download again' }));
    expect(await screen.findByText(/^Attempt 2:/)).toHaveTextContent(
      'Attempt 2: this model has failed to load 2 times in a row.',
    );
    await user.click(screen.getByRole('button', { name: 'Download again' }));
    await screen.findByText(/^Attempt 3:/);
    // The message itself is the same each time: only the count tells the retries apart.
    expect(paragraphs()).toEqual([
      title,
      action,
      'Attempt 3: this model has failed to load 3 times in a row.',
    ]);
    expect(api.calls.filter((c) => c.method === 'load')).toHaveLength(3);
  });

  it('after a lost GPU reloads on the CPU while the browser offers no adapter, keeping WebGPU preferred', async () => {
    const gone = { ...fakeDevice, gpu: { status: 'no-adapter' as const } };
    const { services, api } = await renderWithEngine(<EngineAlert />, {
      device: (again) => (again ? gone : fakeDevice),
    });
    await services.engine.load(model);
    api.loseModel({ kind: 'gpu-device-lost', detail: 'GPU process crashed' });
    expect(await screen.findByRole('alert')).toHaveTextContent('offers no GPU right now');
    await userEvent.click(await screen.findByRole('button', { name: 'Reload on the CPU' }));
    await waitFor(() =>
      expect(services.engine.get().state).toMatchObject({
        status: 'ready',
        model: { backend: { kind: 'cpu' } },
      }),
    );
    expect(services.preferences.get().backend).toBe('auto');
  });

  it('after a lost GPU reloads on WebGPU when an adapter is there', async () => {
    const { services, api } = await renderWithEngine(<EngineAlert />);
    await services.engine.load(model);
    api.loseModel({ kind: 'gpu-device-lost', detail: 'GPU process crashed' });
    await userEvent.click(await screen.findByRole('button', { name: 'Reload model' }));
    await waitFor(() =>
      expect(services.engine.get().state).toMatchObject({
        status: 'ready',
        model: { backend: { kind: 'webgpu' } },
      }),
    );
  });
});
