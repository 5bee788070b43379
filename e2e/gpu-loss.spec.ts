import { chromium, type Browser, type Page } from '@playwright/test';
import { webgpuF16Launch } from '../scripts/browser-launch.ts';
import {
  expect,
  expectLoaded,
  libraryList,
  loadByUrl,
  modelStatus,
  openApp,
  openView,
  send,
  setSampling,
  test,
} from './support/fixtures.ts';

/**
 * A GPU process that crashes, through the DevTools protocol (`Browser.crashGpuProcess`). What it
 * really does in this setup (Chromium 156, lavapipe): every GPUDevice's `lost` promise resolves
 * ("A valid external Instance reference no longer exists."), Chromium starts a new GPU process,
 * and `requestAdapter()` answers null in every page for the rest of that browser's life (the new
 * GPU process never creates a WebGPU instance). So each test crashes a browser of its own, never
 * the shared one, and the way back it can prove is the CPU; the WebGPU way back (an adapter that
 * returns) is the store's unit test.
 */
const OTHER = 'stories260K-chat-f16';
const MODEL = 'stories260K-chat-q8_0';

let browser: Browser;
test.beforeEach(async () => {
  browser = await chromium.launch(webgpuF16Launch());
});
test.afterEach(async () => {
  await browser.close();
});

async function crashGpu() {
  const cdp = await browser.newBrowserCDPSession();
  await cdp.send('Browser.crashGpuProcess');
  await cdp.detach();
}

/** Two stored models and a first chat: what every failure must leave intact. */
async function setUp(page: Page, url: (file: string) => string) {
  await openApp(page);
  await loadByUrl(page, url(`${OTHER}.gguf`));
  await expectLoaded(page, OTHER);
  await loadByUrl(page, url(`${MODEL}.gguf`));
  await expectLoaded(page, MODEL);
  await expect(page.getByTestId('backend')).toContainText('WebGPU');
  await setSampling(page, { maxTokens: 8 });
  await send(page, 'A first chat');
  await page.getByRole('button', { name: 'New chat' }).click();
}

async function expectIntact(page: Page) {
  await openView(page, 'Models');
  await expect(libraryList(page).getByRole('listitem')).toHaveCount(2);
  await expect(page.getByRole('list', { name: 'Saved chats' }).getByRole('listitem')).toHaveCount(
    2,
  );
}

/** One click back: the model on the CPU (the browser offers no GPU now), answering again. */
async function reloadAndChat(page: Page) {
  // The engine's alert (a failed answer shows an alert of its own, which stays with it).
  const alert = page
    .getByRole('alert')
    .filter({ has: page.getByRole('button', { name: 'Dismiss' }) });
  await expect(alert).toContainText('The GPU stopped responding');
  await expect(alert).toContainText('offers no GPU right now');
  await expect(modelStatus(page)).toHaveText('No model loaded.');
  await alert.getByRole('button', { name: 'Reload on the CPU' }).click();
  await expectLoaded(page, MODEL);
  await expect(page.getByTestId('backend')).toContainText('CPU');
  await expect(alert).toHaveCount(0);
  await setSampling(page, { maxTokens: 8 });
  const answer = await send(page, 'After the crash');
  await expect(answer).toHaveAttribute('data-status', /done|length/);
  expect((await answer.locator('.text').innerText()).trim().length).toBeGreaterThan(0);
}

test('a GPU lost during an answer keeps the partial answer, and one click reloads on the CPU', async ({
  models,
  baseURL,
}) => {
  const page = await (await browser.newContext({ baseURL })).newPage();
  await setUp(page, (file) => models.url(file));
  await setSampling(page, { maxTokens: 4000 });
  await openView(page, 'Chat');
  await page.getByLabel('Message', { exact: true }).fill('Tell me a long story');
  await page.keyboard.press('Enter');
  const answer = page.getByRole('article', { name: 'Model' }).last();
  await expect(answer.locator('.text')).toHaveText(/\S+\s+\S+\s+\S+/); // a few words in
  await crashGpu();

  await expect(answer).toHaveAttribute('data-status', 'error', { timeout: 30_000 });
  const partial = (await answer.locator('.text').innerText()).trim();
  expect(partial.split(/\s+/).length).toBeGreaterThanOrEqual(3);
  await expect(answer).toContainText('The GPU stopped responding');
  await reloadAndChat(page);
  // The cut answer is still there, as it was.
  const cut = page.getByRole('article', { name: 'Model' }).first();
  expect((await cut.locator('.text').innerText()).trim()).toBe(partial);
  await expectIntact(page);
});

test('a GPU lost while idle is noticed at once, and one click reloads on the CPU', async ({
  models,
  baseURL,
}) => {
  const page = await (await browser.newContext({ baseURL })).newPage();
  await setUp(page, (file) => models.url(file));
  await send(page, 'Before the crash');
  await crashGpu();

  // Nobody asks anything: the app hears of the loss from the engine itself.
  await reloadAndChat(page);
  await expect(page.getByRole('article', { name: 'You' }).first()).toHaveText(/Before the crash/);
  await expectIntact(page);
});
