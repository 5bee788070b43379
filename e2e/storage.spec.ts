import type { BrowserContext } from '@playwright/test';
import {
  expect,
  expectLoaded,
  libraryRow,
  loadByUrl,
  modelStatus,
  openApp,
  openView,
  send,
  setSampling,
  storedPreferences,
  test,
} from './support/fixtures.ts';
import type { ModelServer } from './support/model-server.ts';

const FILE = 'stories260K-chat-q8_0.gguf';
const NAME = 'stories260K-chat-q8_0';

/** From now on every request to the model host fails; returns the list of those attempted. */
async function blockModelHost(context: BrowserContext, models: ModelServer) {
  const blocked: string[] = [];
  await context.route(`${models.origin}/**`, (route) => {
    blocked.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  return blocked;
}

test('a reload opens the last model again by itself, from storage, with no request to its host', async ({
  page,
  context,
  models,
}) => {
  const servedBefore = models.hits().get(`/${FILE}`) ?? 0; // the server is shared by a worker's tests
  await openApp(page);
  await loadByUrl(page, models.url(FILE));
  await expectLoaded(page, NAME);
  await expect(modelStatus(page)).not.toContainText('loaded from this device');
  expect(models.hits().get(`/${FILE}`)).toBe(servedBefore + 1);

  const before = models.totalHits();
  const blocked = await blockModelHost(context, models);
  await page.reload();
  await openApp(page, null);
  // Nobody pressed anything: the setting (on by default) reopened it.
  await expectLoaded(page, NAME);
  await expect(modelStatus(page)).toContainText('loaded from this device');

  await setSampling(page, { maxTokens: 16 });
  const answer = await send(page, 'Hello');
  expect((await answer.locator('.text').innerText()).trim().length).toBeGreaterThan(0);

  // Entering the same URL again also uses the stored copy.
  await loadByUrl(page, models.url(FILE));
  await expectLoaded(page, NAME);
  await expect(modelStatus(page)).toContainText('loaded from this device');

  expect(blocked).toEqual([]);
  expect(models.totalHits()).toBe(before);
});

test('with the setting off a reload loads nothing; a last model no longer stored is named, not downloaded', async ({
  page,
  context,
  models,
}) => {
  await openApp(page);
  await loadByUrl(page, models.url(FILE));
  await expectLoaded(page, NAME);

  await openView(page, 'Privacy & settings');
  const setting = page.getByRole('checkbox', { name: /Load the last model when the app opens/ });
  await expect(setting).toBeChecked();
  await setting.uncheck();
  await expect.poll(async () => (await storedPreferences(page))?.autoLoadLast).toBe(false);
  await page.reload();
  await openApp(page, null);
  await expect(setting).not.toBeChecked();
  await openView(page, 'Chat');
  await expect(modelStatus(page)).toHaveText('No model loaded.');
  // The stored model is offered instead, one click away.
  const load = page.getByRole('button', { name: `Load ${NAME}` });
  await expect(load).toBeVisible();
  await load.click();
  await expectLoaded(page, NAME);

  // Back on; then the model goes from storage: the next start says so and downloads nothing.
  await openView(page, 'Privacy & settings');
  await setting.check();
  await expect.poll(async () => (await storedPreferences(page))?.autoLoadLast).toBe(true);
  await openView(page, 'Models');
  await page.getByRole('button', { name: `Delete ${NAME}` }).click();
  await expect(libraryRow(page, NAME)).toHaveCount(0);
  const before = models.totalHits();
  const blocked = await blockModelHost(context, models);
  await page.reload();
  await openApp(page, null);
  await openView(page, 'Chat');
  await expect(
    page.getByText(`Your last model, ${NAME}, is no longer stored on this device`),
  ).toBeVisible();
  await expect(modelStatus(page)).toHaveText('No model loaded.');
  await expect(page.getByRole('button', { name: 'Start chatting' })).toBeVisible();
  expect(blocked).toEqual([]);
  expect(models.totalHits()).toBe(before);
});
