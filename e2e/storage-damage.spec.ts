import type { Page } from '@playwright/test';
import {
  expect,
  expectLoaded,
  libraryList,
  libraryRow,
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
 * Damages the stored copy of `url` in IndexedDB as the browser or an older version could:
 * its first chunk evicted, or overwritten by zeros of the same size (so only the header check
 * can tell).
 */
async function damageFirstChunk(page: Page, url: string, how: 'missing' | 'zeroed') {
  await page.evaluate(
    async ({ url, how }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('tab-llm-gguf-chunks');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(new Error(String(open.error)));
      });
      const chunks = () => db.transaction('chunks', 'readwrite').objectStore('chunks');
      const first = await new Promise<Blob>((resolve, reject) => {
        const get = chunks().get([url, 0]);
        get.onsuccess = () => resolve(get.result as Blob);
        get.onerror = () => reject(new Error(String(get.error)));
      });
      await new Promise<void>((resolve, reject) => {
        const change =
          how === 'missing'
            ? chunks().delete([url, 0])
            : chunks().put(new Blob([new Uint8Array(first.size)]), [url, 0]);
        change.onsuccess = () => resolve();
        change.onerror = () => reject(new Error(String(change.error)));
      });
      db.close();
    },
    { url, how },
  );
}

for (const how of ['missing', 'zeroed'] as const) {
  test(`a stored model with a chunk ${how} is reported damaged, and Download again brings it back`, async ({
    page,
    models,
  }) => {
    await openApp(page);
    await loadByUrl(page, models.url(`${MODEL}.gguf`));
    await expectLoaded(page, MODEL);
    await loadByUrl(page, models.url(`${OTHER}.gguf`));
    await expectLoaded(page, OTHER);
    await setSampling(page, { maxTokens: 8 });
    await send(page, 'A chat that must survive');

    await damageFirstChunk(page, models.url(`${MODEL}.gguf`), how);
    const requestsBefore = models.hits().get(`/${MODEL}.gguf`) ?? 0;
    await openView(page, 'Models');
    await libraryRow(page, MODEL)
      .getByRole('button', { name: `Load ${MODEL}` })
      .click();

    const alert = page.getByRole('alert');
    await expect(alert).toContainText(`The stored copy of ${MODEL} is damaged`);
    await expect(alert).toContainText(
      how === 'missing' ? /piece 1 of \d+ is missing/ : 'its header no longer checks out',
    );
    // Detected, not quietly downloaded again; the loaded model and the other copy untouched.
    expect(models.hits().get(`/${MODEL}.gguf`) ?? 0).toBe(requestsBefore);
    await expect(modelStatus(page)).toContainText(OTHER);
    await expect(libraryRow(page, OTHER)).toBeVisible();

    await alert.getByRole('button', { name: 'Download again' }).click();
    await expectLoaded(page, MODEL);
    expect(models.hits().get(`/${MODEL}.gguf`) ?? 0).toBeGreaterThan(requestsBefore);
    await expect(libraryList(page).getByRole('listitem')).toHaveCount(2);
    const answer = await send(page, 'After the repair');
    expect((await answer.locator('.text').innerText()).trim().length).toBeGreaterThan(0);
    await expect(page.getByRole('article', { name: 'You' }).first()).toHaveText(
      /A chat that must survive/,
    );
  });
}
