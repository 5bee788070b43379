import { render, type RenderResult } from '@testing-library/react';
import type { ReactNode } from 'react';
import { inThread } from '../engine-client.ts';
import { startEngine, type EngineServices } from '../engine-bootstrap.ts';
import { EngineProvider } from '../engine-context.tsx';
import { createPreferenceStore, memoryPreferences } from '../preferences.ts';
import {
  createFakeEngineApi,
  type FakeEngineApi,
  type FakeEngineScript,
} from './fake-engine-api.ts';

/**
 * Renders `ui` as the app would, over the fake engine API: the real bootstrap, client, stores and
 * protocol, with scripted models and preferences in memory. Waits until the engine has started.
 */
export async function renderWithEngine(
  ui: ReactNode,
  script: FakeEngineScript = {},
): Promise<RenderResult & { api: FakeEngineApi; services: EngineServices }> {
  const api = createFakeEngineApi(script);
  const services = startEngine(inThread(api), createPreferenceStore(memoryPreferences()));
  await new Promise<void>((resolve) => {
    const stop = services.engine.subscribe(() => {
      if (services.engine.get().state.status !== 'starting') {
        stop();
        resolve();
      }
    });
  });
  return { ...render(<EngineProvider services={services}>{ui}</EngineProvider>), api, services };
}
