import { readFile } from 'node:fs/promises';
import {
  expect,
  expectLoaded,
  loadByUrl,
  openApp,
  send,
  setSampling,
  test,
} from './support/fixtures.ts';

test('chats are kept after a reload, can be reopened, exported and deleted', async ({
  page,
  models,
}) => {
  await openApp(page);
  await loadByUrl(page, models.url('stories260K-chat-q8_0.gguf'));
  await expectLoaded(page, 'stories260K-chat-q8_0');
  await setSampling(page, { maxTokens: 8 });
  await send(page, 'First conversation');
  await page.getByRole('button', { name: 'New chat' }).click();
  await send(page, 'Second conversation');

  await page.reload();
  await openApp(page, null);
  const saved = page.getByRole('list', { name: 'Saved chats' });
  await expect(saved.getByRole('listitem')).toHaveCount(2);
  // The latest conversation is open again, its answer included.
  const asked = page.getByRole('article', { name: 'You' }).locator('.text');
  await expect(asked).toHaveText(['Second conversation']);
  await expect(page.getByRole('article', { name: 'Model' })).toHaveCount(1);

  await saved.getByRole('button', { name: 'First conversation', exact: true }).click();
  await expect(asked).toHaveText(['First conversation']);

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export all' }).click();
  const exported = JSON.parse(await readFile(await (await download).path(), 'utf8')) as {
    chats: { title: string; messages: { content: string }[] }[];
  };
  expect(exported.chats.map((c) => c.title).sort()).toEqual([
    'First conversation',
    'Second conversation',
  ]);
  expect(exported.chats.every((c) => c.messages.length === 2)).toBe(true);

  await saved.getByRole('button', { name: 'Delete chat: First conversation' }).click();
  await expect(saved.getByRole('listitem')).toHaveCount(1);
  await page.getByRole('button', { name: 'Delete all chats' }).click();
  await page.getByRole('button', { name: 'Delete 1 chat' }).click();
  await expect(page.getByText('No saved chats yet.')).toBeVisible();

  await page.reload();
  await openApp(page, null);
  await expect(page.getByText('No saved chats yet.')).toBeVisible();
  await expect(page.getByRole('article')).toHaveCount(0);
  // Deleting chats leaves the stored model alone.
  await expect(
    page.getByRole('heading', { name: 'On this device' }).locator('xpath=following-sibling::ul[1]'),
  ).toContainText('stories260K-chat-q8_0');
});
