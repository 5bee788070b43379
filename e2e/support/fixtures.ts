import { test as base, expect, type Page } from '@playwright/test';
import { sharedModelsDir } from '../../scripts/shared-dir.ts';
import { startModelServer, type ModelServer } from './model-server.ts';

export { expect };

export const test = base.extend<object, { models: ModelServer }>({
  models: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring
    async ({}, use) => {
      const server = await startModelServer(sharedModelsDir());
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],
});

/**
 * Opens the app (at the config's base URL, or at `origin`; `null`: the page is already open)
 * and waits until it knows what this browser can do.
 */
export async function openApp(page: Page, origin: string | null = '') {
  if (origin !== null) await page.goto(`${origin}/`);
  await expect(page.getByRole('heading', { name: 'This device', exact: true })).toBeVisible();
  await expect(page.getByText('Checking what this browser can run')).toBeHidden();
}

/** The value the "This device" panel shows for `name` (e.g. `shader-f16`). */
export function deviceFact(page: Page, name: string) {
  return page
    .getByRole('region', { name: 'This device' })
    .getByText(name, { exact: true })
    .locator('xpath=following-sibling::dd[1]');
}

/** Loads a GGUF model through "Add a GGUF model by URL" and waits for the outcome. */
export async function loadByUrl(page: Page, url: string) {
  await page.getByLabel('Add a GGUF model by URL').fill(url);
  await page.getByRole('button', { name: 'Load from URL' }).click();
}

export async function expectLoaded(page: Page, name: RegExp | string) {
  await expect(page.getByRole('status')).toContainText(name, { timeout: 90_000 });
}

export async function chooseBackend(page: Page, backend: 'auto' | 'cpu') {
  await page.getByLabel('GGUF backend').selectOption(backend);
}

/** Sends a message and waits for the answer to finish; returns the answer's text. */
export async function send(page: Page, text: string) {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.keyboard.press('Enter');
  const answer = page.getByRole('article', { name: 'Model' }).last();
  await expect(answer).not.toHaveAttribute('data-status', 'streaming', { timeout: 90_000 });
  return answer;
}

export async function setSampling(
  page: Page,
  settings: { temperature?: number; maxTokens?: number; mode?: 'Chat' | 'Text completion' },
) {
  if (settings.mode) await page.getByRole('radio', { name: settings.mode }).check();
  await page.locator('.settings details > summary').click();
  if (settings.temperature !== undefined) {
    await page.getByLabel(/Temperature/).fill(String(settings.temperature));
  }
  if (settings.maxTokens !== undefined) {
    await page.getByLabel('Max tokens').fill(String(settings.maxTokens));
  }
  await page.locator('.settings details > summary').click();
}
