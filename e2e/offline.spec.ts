import { startAppServer } from './support/app-server.ts';
import {
  expect,
  expectLoaded,
  libraryRow,
  loadByUrl,
  modelStatus,
  openApp,
  send,
  setSampling,
  test,
} from './support/fixtures.ts';
import { startModelServer } from './support/model-server.ts';
import { sharedModelsDir } from '../scripts/shared-dir.ts';

const MODEL = 'stories260K-chat-q8_0';

test('after one visit the app opens, loads its stored model and chats with no network at all', async ({
  page,
  context,
}) => {
  // Servers of this test's own, so that it can stop them: afterwards nothing answers at all.
  const app = await startAppServer();
  const models = await startModelServer(sharedModelsDir());
  try {
    await openApp(page, app.origin);
    // The service worker has cached every file of the app once it is active.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await loadByUrl(page, models.url(`${MODEL}.gguf`));
    await expectLoaded(page, MODEL);
    await setSampling(page, { maxTokens: 16 });
    await send(page, 'Hello before the flight');
  } finally {
    await app.close();
    await models.close();
  }
  await context.setOffline(true);

  await page.reload();
  await openApp(page, null);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  // The SW's copies keep the isolation headers, so llama.cpp may still use threads.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

  // The conversation came back from IndexedDB, and the model loaded again by itself from there.
  await expect(page.getByRole('article', { name: 'You' })).toHaveText(/Hello before the flight/);
  await expectLoaded(page, MODEL);
  await expect(modelStatus(page)).toContainText('loaded from this device');

  await setSampling(page, { maxTokens: 16 });
  const answer = await send(page, 'Hello from the plane');
  await expect(answer).toHaveAttribute('data-status', /done|length/);
  expect((await answer.locator('.text').innerText()).trim().length).toBeGreaterThan(0);
  await expect(page.getByRole('article', { name: 'You' })).toHaveCount(2);

  // A view's own address opens offline too: a fresh navigation that only the service worker
  // can answer (the hash never reaches a server).
  await page.goto('about:blank');
  await page.goto(`${app.origin}/#/models`);
  await expect(page.getByRole('main', { name: 'Models', exact: true })).toBeVisible();
  await expect(libraryRow(page, MODEL)).toHaveAttribute('data-status', 'complete');
  await page.goto(`${app.origin}/#/privacy`);
  await expect(page.getByRole('region', { name: 'Settings' })).toBeVisible();
});
