import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { sharedModelsDir } from '../scripts/shared-dir.ts';
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
import { hfTreeEntry } from './support/hf-tree-entry.ts';

const OTHER = 'stories260K-chat-f16';
const MODEL = 'stories260K-chat-q8_0';

/**
 * Damages the stored copy of `url` in IndexedDB as the browser, an older version or the disk
 * could: its first chunk evicted, or overwritten by zeros of the same size (so only the header
 * check can tell), or bytes changed inside the last chunk's tensor data (so that size and header
 * still check out, and only the SHA-256 can tell).
 */
async function damageChunk(page: Page, url: string, how: 'missing' | 'zeroed' | 'flipped') {
  await page.evaluate(
    async ({ url, how }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('tab-llm-gguf-chunks');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(new Error(String(open.error)));
      });
      const chunks = () => db.transaction('chunks', 'readwrite').objectStore('chunks');
      const request = <T>(r: IDBRequest<T>) =>
        new Promise<T>((resolve, reject) => {
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(new Error(String(r.error)));
        });
      const keys = (await request(
        chunks().getAllKeys(IDBKeyRange.bound([url, 0], [url, Infinity])),
      )) as [string, number][];
      const key = how === 'flipped' ? keys[keys.length - 1] : [url, 0];
      if (!key) throw new Error(`no chunk of ${url}`);
      const chunk = (await request(chunks().get(key))) as Blob;
      if (how === 'missing') {
        await request(chunks().delete(key));
      } else if (how === 'zeroed') {
        await request(chunks().put(new Blob([new Uint8Array(chunk.size)]), key));
      } else {
        const bytes = new Uint8Array(await chunk.arrayBuffer());
        for (let i = bytes.length - 64; i < bytes.length - 32; i++)
          bytes[i] = (bytes[i] ?? 0) ^ 0xff;
        await request(chunks().put(new Blob([bytes]), key));
      }
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

    await damageChunk(page, models.url(`${MODEL}.gguf`), how);
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

/**
 * `MODEL` as a fake Hugging Face repo lists it, with its SHA-256, so that the download records
 * it; the resolve URL redirects to the test server, as Hugging Face redirects to its CDN.
 */
async function hfListed(page: Page, origin: string) {
  const bytes = readFileSync(join(sharedModelsDir(), `${MODEL}.gguf`));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*' };
  await page
    .context()
    .route('https://huggingface.co/api/models/fake/tiny/tree/main**', (route) =>
      route.fulfill({ json: [hfTreeEntry(`${MODEL}.gguf`, bytes.length, sha256)], headers: cors }),
    );
  await page
    .context()
    .route('https://huggingface.co/fake/tiny/resolve/main/**', (route) =>
      route.request().method() === 'OPTIONS'
        ? route.fulfill({ status: 204, headers: cors })
        : route.fulfill({ status: 302, headers: { ...cors, Location: `${origin}/${MODEL}.gguf` } }),
    );
  return `https://huggingface.co/fake/tiny/resolve/main/${MODEL}.gguf`;
}

test('bytes changed inside the tensors pass the size and header checks; the SHA-256 option finds them, and Download again brings the model back', async ({
  page,
  models,
}) => {
  await openApp(page);
  const url = await hfListed(page, models.origin);
  await loadByUrl(page, url);
  await expectLoaded(page, MODEL);
  await loadByUrl(page, models.url(`${OTHER}.gguf`));
  await expectLoaded(page, OTHER);
  await setSampling(page, { maxTokens: 8 });
  await send(page, 'A chat that must survive');

  await damageChunk(page, url, 'flipped');
  const requestsBefore = models.hits().get(`/${MODEL}.gguf`) ?? 0;
  const loadStored = async () => {
    await openView(page, 'Models');
    await libraryRow(page, MODEL)
      .getByRole('button', { name: `Load ${MODEL}` })
      .click();
  };

  // Off (the default): the size and header checks cannot see it, and the model opens.
  await loadStored();
  await expectLoaded(page, MODEL);
  await expect(page.getByRole('alert')).toHaveCount(0);

  await loadByUrl(page, models.url(`${OTHER}.gguf`));
  await expectLoaded(page, OTHER);
  await openView(page, 'Privacy & settings');
  await page.getByLabel(/Check a stored model's SHA-256/).check();
  await loadStored();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText(`The stored copy of ${MODEL} is damaged`);
  await expect(alert).toContainText('SHA-256');
  expect(models.hits().get(`/${MODEL}.gguf`) ?? 0).toBe(requestsBefore);
  await expect(modelStatus(page)).toContainText(OTHER);
  await expect(libraryRow(page, OTHER)).toBeVisible();

  await alert.getByRole('button', { name: 'Download again' }).click();
  await expectLoaded(page, MODEL);
  expect(models.hits().get(`/${MODEL}.gguf`) ?? 0).toBeGreaterThan(requestsBefore);
  await expect(libraryList(page).getByRole('listitem')).toHaveCount(2);
  // The new copy passes the SHA-256 check it failed.
  await loadByUrl(page, models.url(`${OTHER}.gguf`));
  await expectLoaded(page, OTHER);
  await loadStored();
  await expectLoaded(page, MODEL);
  await expect(alert).toHaveCount(0);
  await openView(page, 'Chat');
  await expect(page.getByRole('article', { name: 'You' }).first()).toHaveText(
    /A chat that must survive/,
  );
});
