import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { sharedModelsDir } from '../../scripts/shared-dir.ts';
import { startModelServer, type ModelServer } from './model-server.ts';

export { expect };

export const test = base.extend<{ gpuIntact: null }, { models: ModelServer }>({
  /**
   * In the WebGPU project, each test first checks that the shared browser still offers a WebGPU
   * adapter, so that a test never quietly runs on the CPU (or fails for a reason not its own)
   * when the adapter is gone. It fails at once and says so.
   */
  gpuIntact: [
    async ({ browser, baseURL }, use, testInfo) => {
      if (testInfo.project.name === 'webgpu-f16') {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`${baseURL ?? ''}/manifest.webmanifest`);
        const adapter = await page.evaluate(async () => !!(await navigator.gpu.requestAdapter()));
        await context.close();
        if (!adapter) {
          throw new Error(
            'This browser offers no WebGPU adapter any more, so this test cannot run on WebGPU. ' +
              'Check the WebGPU-on-CPU setup (../shared/webgpu-cpu: run setup.sh, which rebuilds ' +
              'its Vulkan layer) and the GPU process log (SPOOF_DEBUG=1).',
          );
        }
      }
      await use(null);
    },
    { auto: true },
  ],
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

/** The top bar's line that names the loaded model (and only ever a loaded one). */
export const modelStatus = (page: Page) => page.getByRole('status', { name: 'Loaded model' });

/**
 * Opens the app (at the config's base URL, or at `origin`; `null`: the page is already open)
 * and waits until it knows what this browser can do.
 */
export async function openApp(page: Page, origin: string | null = '') {
  if (origin !== null) await page.goto(`${origin}/`);
  await expect(modelStatus(page)).toBeVisible();
  await expect(modelStatus(page)).not.toContainText('Checking what this browser can run');
}

export type ViewName = 'Chat' | 'Models' | 'Compare' | 'Privacy & settings';

/** The view on screen now: the page's main region, named after it. */
export const view = (page: Page, name: ViewName) => page.getByRole('main', { name, exact: true });

/**
 * Goes to a view as a user does, by its link in the sidebar (opening the sidebar first where it
 * is a closed drawer, on a narrow screen).
 */
export async function openView(page: Page, name: ViewName) {
  if (await view(page, name).isVisible()) return;
  const link = page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name });
  if (!(await link.isVisible())) await page.getByRole('button', { name: 'Sidebar' }).click();
  await link.click();
  await expect(view(page, name)).toBeVisible();
}

/** The value the "This device" facts show for `name` (e.g. `shader-f16`), on the models view. */
export function deviceFact(page: Page, name: string) {
  return page
    .getByRole('region', { name: 'This device' })
    .getByText(name, { exact: true })
    .locator('xpath=following-sibling::dd[1]');
}

/** Loads a GGUF model through "Add a GGUF model by URL" (models view); does not wait for it. */
export async function loadByUrl(page: Page, url: string) {
  await openView(page, 'Models');
  await page.getByLabel('Add a GGUF model by URL').fill(url);
  await page.getByRole('button', { name: 'Load from URL' }).click();
}

export async function expectLoaded(page: Page, name: RegExp | string) {
  await expect(modelStatus(page)).toContainText(name, { timeout: 90_000 });
}

export async function chooseBackend(page: Page, backend: 'auto' | 'cpu') {
  await openView(page, 'Models');
  await page.getByLabel('GGUF backend').selectOption(backend);
}

/** Sends a message from the chat view and waits for the answer to finish; returns the answer. */
export async function send(page: Page, text: string) {
  await openView(page, 'Chat');
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
  await openView(page, 'Chat');
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

/**
 * One of an answer's own numbers (`decode-rate`, `ttft`, `output-tokens`…), read whether or not
 * its details are open (innerText of a folded <details> is empty, hence textContent). A number
 * that is not there fails here rather than passing a comparison as NaN or 0.
 */
export async function answerNumber(answer: Locator, id: string): Promise<number> {
  const text = (await answer.getByTestId(id).textContent()) ?? '';
  const value = Number.parseFloat(text);
  expect(Number.isFinite(value), `${id} of the answer is a number (it is "${text}")`).toBe(true);
  return value;
}

/** The table of recent answers in the sidebar (its section opened first). */
export async function recentAnswers(page: Page) {
  const section = page.locator('details.speed-section');
  if ((await section.getAttribute('open')) === null) {
    await section.getByText('Speed of recent answers', { exact: true }).click();
  }
  return page.getByRole('table', { name: 'Recent answers' });
}

/** The library's list of stored models, and one model's row in it. */
export const libraryList = (page: Page) =>
  page.getByRole('region', { name: 'Library' }).getByRole('list', { name: 'Stored models' });
export const libraryRow = (page: Page, name: string) =>
  libraryList(page).getByRole('listitem', { name, exact: true });

/**
 * A stored model and a conversation that every failure test checks afterwards: the failure
 * must leave both intact (and the model loaded and answering).
 */
export async function storeBaseline(page: Page, models: ModelServer) {
  await loadByUrl(page, models.url('stories260K-chat-q8_0.gguf'));
  await expectLoaded(page, 'stories260K-chat-q8_0');
  await setSampling(page, { maxTokens: 8 });
  const answer = await send(page, 'Hello baseline');
  const text = (await answer.locator('.text').innerText()).trim();
  await openView(page, 'Models');
  return text;
}

/**
 * Checks the baseline model (models view) and, with `chat`, the conversation (chat view); ends
 * on the models view, where the failure tests go on.
 */
export async function expectBaselineIntact(page: Page, answer: string, chat = true) {
  await openView(page, 'Models');
  await expect(libraryRow(page, 'stories260K-chat-q8_0')).toHaveAttribute(
    'data-status',
    'complete',
  );
  if (!chat) return;
  await openView(page, 'Chat');
  await expect(page.getByRole('article', { name: 'You' }).first()).toContainText('Hello baseline');
  // Read as `storeBaseline` read it: a line break in the answer is a <br>, which innerText shows
  // and the textContent that toHaveText compares leaves out.
  const text = page.getByRole('article', { name: 'Model' }).first().locator('.text');
  await expect.poll(async () => (await text.innerText()).trim()).toBe(answer);
  await openView(page, 'Models');
}

/**
 * Sets this origin's storage quota through Chromium's DevTools protocol. The session stays open:
 * closing it drops the override. Chromium enforces the override on writes, but its
 * `navigator.storage.estimate()` keeps reporting usage + 10 GiB (it hides the real quota).
 */
export async function setQuota(page: Page, quotaSize: number) {
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(page.url()).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize });
}

/** This origin's storage usage, as `navigator.storage.estimate()` reports it. */
export const storageUsage = (page: Page) =>
  page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);

/**
 * The preferences record as the app stored it in IndexedDB (idb-keyval's database
 * `tab-llm-preferences`), to wait until a setting is written before a reload. Call it only once
 * the app has opened that database (it has, once the app has started).
 */
export const storedPreferences = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<Record<string, unknown> | null>((resolve, reject) => {
        const open = indexedDB.open('tab-llm-preferences');
        open.onerror = () => reject(open.error ?? new Error('open tab-llm-preferences'));
        open.onsuccess = () => {
          const request = open.result
            .transaction('preferences')
            .objectStore('preferences')
            .get('preferences');
          request.onsuccess = () => {
            open.result.close();
            resolve((request.result as Record<string, unknown> | undefined) ?? null);
          };
          request.onerror = () => reject(request.error ?? new Error('read preferences'));
        };
      }),
  );
