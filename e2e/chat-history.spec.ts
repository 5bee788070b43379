import { readFile } from 'node:fs/promises';
import {
  expect,
  expectLoaded,
  libraryRow,
  loadByUrl,
  openApp,
  openView,
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
  await openView(page, 'Models');
  await expect(libraryRow(page, 'stories260K-chat-q8_0')).toHaveAttribute(
    'data-status',
    'complete',
  );
});

test('the sidebar finds chats by their words and renames them; a chat opens from any view', async ({
  page,
  models,
}) => {
  await openApp(page);
  await loadByUrl(page, models.url('stories260K-chat-q8_0.gguf'));
  await expectLoaded(page, 'stories260K-chat-q8_0');
  await setSampling(page, { maxTokens: 8 });
  await send(page, 'A question about whales');
  await page.getByRole('button', { name: 'New chat' }).click();
  await send(page, 'Something about kites');

  const saved = page.getByRole('list', { name: 'Saved chats' });
  const search = page.getByRole('searchbox', { name: 'Search chats' });
  await search.fill('WHALES');
  await expect(saved.getByRole('listitem')).toHaveCount(1);
  await expect(saved).toContainText('A question about whales');
  await search.fill('nothing like this');
  await expect(page.getByText('No chat contains “nothing like this”.')).toBeVisible();
  await search.fill('');
  await expect(saved.getByRole('listitem')).toHaveCount(2);

  // Rename: Esc leaves the title as it was, Enter keeps the new one, also after a reload.
  await saved.getByRole('button', { name: 'Rename chat: A question about whales' }).click();
  await page.getByRole('textbox', { name: 'Chat title' }).fill('Not this');
  await page.keyboard.press('Escape');
  await expect(
    saved.getByRole('button', { name: 'A question about whales', exact: true }),
  ).toBeVisible();
  await saved.getByRole('button', { name: 'Rename chat: A question about whales' }).click();
  await page.getByRole('textbox', { name: 'Chat title' }).fill('Whale facts');
  await page.keyboard.press('Enter');
  await expect(saved.getByRole('button', { name: 'Whale facts', exact: true })).toBeVisible();
  await page.reload();
  await openApp(page, null);
  await expect(saved.getByRole('button', { name: 'Whale facts', exact: true })).toBeVisible();

  // Opening a chat from another view brings the chat view back with it.
  await openView(page, 'Privacy & settings');
  await saved.getByRole('button', { name: 'Whale facts', exact: true }).click();
  await expect(page.getByRole('main', { name: 'Chat', exact: true })).toBeVisible();
  await expect(page.getByRole('article', { name: 'You' })).toHaveText(/A question about whales/);
});
