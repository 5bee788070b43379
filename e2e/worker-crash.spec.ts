import type { Page } from '@playwright/test';
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

const OTHER = 'stories260K-chat-f16';
const MODEL = 'stories260K-chat-q8_0';

/**
 * The test hook: an uncaught error thrown inside the inference worker, which is how the page
 * sees a worker die (the browser fires the Worker's `error` event and the worker is gone).
 */
async function killInferenceWorker(page: Page) {
  const worker = page.workers().find((w) => w.url().includes('engine.worker'));
  expect(worker, 'the inference worker is running').toBeDefined();
  await worker?.evaluate(() => {
    setTimeout(() => {
      throw new Error('killed by the test');
    });
  });
}

/**
 * The same for llama.cpp's own worker, which wllama starts from a blob URL inside the inference
 * worker (the app's other workers are files of its own): wllama hands its `error` event to the
 * logger and leaves its pending calls waiting.
 */
async function killLlamaWorker(page: Page) {
  const llama = page.workers().filter((w) => w.url().startsWith('blob:'));
  expect(llama.length, "llama.cpp's worker is running").toBeGreaterThan(0);
  for (const worker of llama) {
    await worker.evaluate(() => {
      setTimeout(() => {
        throw new Error('killed by the test');
      });
    });
  }
}

const engineAlert = (page: Page) =>
  page.getByRole('alert').filter({ has: page.getByRole('button', { name: 'Dismiss' }) });

test.beforeEach(async ({ page, models }) => {
  // Two stored models and a first chat: what the crash must leave intact.
  await openApp(page);
  await loadByUrl(page, models.url(`${OTHER}.gguf`));
  await expectLoaded(page, OTHER);
  await loadByUrl(page, models.url(`${MODEL}.gguf`));
  await expectLoaded(page, MODEL);
  await setSampling(page, { maxTokens: 8 });
  await send(page, 'A first chat');
  await page.getByRole('button', { name: 'New chat' }).click();
});

/** What happened and what fits, then one click: a new worker, the model, an answer. */
async function reloadAndChat(page: Page) {
  const alert = engineAlert(page);
  await expect(alert).toContainText('The engine stopped (');
  await expect(alert).toContainText('killed by the test');
  await expect(alert).toContainText('Your chats and stored models are kept');
  await expect(alert).toContainText(
    /Models up to about [\d.]+ GB \(weights and context\) fit here/,
  );
  await expect(modelStatus(page)).toHaveText('No model loaded.');
  await alert.getByRole('button', { name: 'Reload model' }).click();
  await expectLoaded(page, MODEL);
  await expect(alert).toHaveCount(0);
  await setSampling(page, { maxTokens: 8 });
  const answer = await send(page, 'After the crash');
  await expect(answer).toHaveAttribute('data-status', /done|length/);
  expect((await answer.locator('.text').innerText()).trim().length).toBeGreaterThan(0);
  // Chats and stored models are intact.
  await expect(page.getByRole('list', { name: 'Saved chats' }).getByRole('listitem')).toHaveCount(
    2,
  );
  await openView(page, 'Models');
  await expect(libraryList(page).getByRole('listitem')).toHaveCount(2);
}

/** Asks for a long answer and returns it once its first three words are on screen. */
async function startLongAnswer(page: Page) {
  await setSampling(page, { maxTokens: 4000 });
  await openView(page, 'Chat');
  await page.getByLabel('Message', { exact: true }).fill('Tell me a long story');
  await page.keyboard.press('Enter');
  const answer = page.getByRole('article', { name: 'Model' }).last();
  await expect(answer.locator('.text')).toHaveText(/\S+\s+\S+\s+\S+/);
  return answer;
}

test('a worker that dies during an answer keeps the partial answer; one click starts a new one', async ({
  page,
}) => {
  const answer = await startLongAnswer(page);
  await killInferenceWorker(page);

  await expect(answer).toHaveAttribute('data-status', 'error');
  const partial = (await answer.locator('.text').innerText()).trim();
  expect(partial.split(/\s+/).length).toBeGreaterThanOrEqual(3);
  await reloadAndChat(page);
  const cut = page.getByRole('article', { name: 'Model' }).first();
  await openView(page, 'Chat');
  expect((await cut.locator('.text').innerText()).trim()).toBe(partial);
});

test('a worker that dies while idle is noticed at once; one click starts a new one', async ({
  page,
}) => {
  await send(page, 'Before the crash');
  await killInferenceWorker(page);
  await reloadAndChat(page);
  await openView(page, 'Chat');
  await expect(page.getByRole('article', { name: 'You' }).first()).toHaveText(/Before the crash/);
});

test("llama.cpp's own worker that dies during an answer ends it; one click starts a new one", async ({
  page,
}) => {
  const answer = await startLongAnswer(page);
  await killLlamaWorker(page);

  // Without the watchdog this answer would stream for ever, or wait for ever.
  await expect(answer).toHaveAttribute('data-status', 'error');
  expect((await answer.locator('.text').innerText()).trim().length).toBeGreaterThan(0);
  await reloadAndChat(page);
});
