import {
  expect,
  expectLoaded,
  loadByUrl,
  openApp,
  send,
  setSampling,
  test,
} from './support/fixtures.ts';

test('a stored model loads after a reload with the model server blocked', async ({
  page,
  context,
  models,
}) => {
  const file = 'stories260K-chat-q8_0.gguf';
  const servedBefore = models.hits().get(`/${file}`) ?? 0; // the server is shared by a worker's tests
  await openApp(page);
  await loadByUrl(page, models.url(file));
  await expectLoaded(page, 'stories260K-chat-q8_0');
  await expect(page.getByRole('status')).not.toContainText('loaded from this device');
  expect(models.hits().get(`/${file}`)).toBe(servedBefore + 1);

  // From now on, any request to the model host fails, and the server counts any that reach it.
  const before = models.totalHits();
  const blocked: string[] = [];
  await context.route(`${models.origin}/**`, (route) => {
    blocked.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  await page.reload();
  await openApp(page);

  const stored = page
    .getByRole('heading', { name: 'On this device' })
    .locator('xpath=following-sibling::ul[1]');
  await expect(stored).toContainText('stories260K-chat-q8_0');
  await stored.getByRole('button', { name: 'Load stories260K-chat-q8_0' }).click();
  await expectLoaded(page, 'stories260K-chat-q8_0');
  await expect(page.getByRole('status')).toContainText('loaded from this device');

  await setSampling(page, { maxTokens: 16 });
  const answer = await send(page, 'Hello');
  expect((await answer.locator('.text').innerText()).trim().length).toBeGreaterThan(0);

  // Entering the same URL again also uses the stored copy.
  await loadByUrl(page, models.url(file));
  await expectLoaded(page, 'stories260K-chat-q8_0');
  await expect(page.getByRole('status')).toContainText('loaded from this device');

  expect(blocked).toEqual([]);
  expect(models.totalHits()).toBe(before);
});
