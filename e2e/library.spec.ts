import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { sharedModelsDir } from '../scripts/shared-dir.ts';
import { hfTreeEntry } from './support/hf-tree-entry.ts';
import {
  expect,
  expectBaselineIntact,
  expectLoaded,
  libraryList,
  libraryRow,
  loadByUrl,
  modelStatus,
  openApp,
  openView,
  send,
  setQuota,
  storageUsage,
  storeBaseline,
  test,
} from './support/fixtures.ts';
import { startModelServer, type ModelServer } from './support/model-server.ts';
import { splitGguf } from './support/split-gguf.ts';

// The subject of these tests: 1,185,632 bytes, stored in 64 KiB chunks (19 of them).
const FILE = 'stories260K-chat-f32.gguf';
const NAME = 'stories260K-chat-f32';
const SIZE = statSync(join(sharedModelsDir(), FILE)).size;
const CHUNK = 64 * 1024;
const SHA256 = createHash('sha256')
  .update(readFileSync(join(sharedModelsDir(), FILE)))
  .digest('hex');

const alert = (page: Page) => page.locator('.engine-alert');

/** A path of the test's own (`/~name/file`), so that its counters and behaviour are its own. */
const scratch = (name: string) => `/~${name}/${FILE}`;

/** Waits until the download of `NAME` has stored at least `fraction` of it. */
async function waitForProgress(page: Page, fraction: number) {
  await expect
    .poll(
      async () =>
        Number(
          (await page
            .getByRole('progressbar', { name: `Downloading ${NAME}` })
            .getAttribute('value')) ?? 0,
        ),
      { timeout: 60_000 },
    )
    .toBeGreaterThanOrEqual(fraction * 100);
}

/**
 * A fake Hugging Face repo `fake/tiny` whose tree API lists `files`, each served from the test
 * server under `path` (the route stands in for Hugging Face's resolve URLs).
 */
async function fakeRepo(
  context: BrowserContext,
  models: ModelServer,
  files: { name: string; servedFrom: string; size: number; sha256: string }[],
  origin = models.origin,
) {
  // The listing asks for every folder (`?recursive=true`); the hash lookup for the top one.
  await context.route('https://huggingface.co/api/models/fake/tiny/tree/main**', (route) =>
    route.fulfill({
      json: files.map((f) => hfTreeEntry(f.name, f.size, f.sha256)),
      headers: { 'Access-Control-Allow-Origin': '*' },
    }),
  );
  // As Hugging Face does, `resolve` redirects to where the bytes are, so the model server's
  // behaviours (cuts, ranges) reach the browser unchanged.
  const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*' };
  await context.route('https://huggingface.co/fake/tiny/resolve/main/**', async (route) => {
    if (route.request().method() === 'OPTIONS')
      return route.fulfill({ status: 204, headers: cors });
    const name = decodeURIComponent(new URL(route.request().url()).pathname.split('/').pop() ?? '');
    const file = files.find((f) => f.name === name);
    if (!file) return route.fulfill({ status: 404, headers: cors });
    return route.fulfill({
      status: 302,
      headers: { ...cors, Location: `${origin}${file.servedFrom}` },
    });
  });
}

async function listRepo(page: Page) {
  await openView(page, 'Models');
  await page.getByLabel('Add from a Hugging Face repo').fill('fake/tiny');
  await page.getByRole('button', { name: 'List files' }).click();
  return page.getByRole('list', { name: 'GGUF files in fake/tiny' });
}

test('a download cut mid-way resumes from the last stored chunk', async ({ page, models }) => {
  const path = scratch('cut');
  // Throttled, as real downloads are: Chromium drops body bytes still queued when a connection
  // fails, so an instant cut would leave nothing to keep.
  models.behave(path, { cutAfter: 600_000, rate: 400_000 });
  await openApp(page);
  const answer = await storeBaseline(page, models);

  await loadByUrl(page, `${models.origin}${path}`);
  await expect(alert(page)).toContainText('The download stopped early');
  await expect(alert(page)).toContainText('are kept');
  await expect(libraryRow(page, NAME)).toHaveAttribute('data-status', 'partial');
  await expectBaselineIntact(page, answer);

  await alert(page).getByRole('button', { name: 'Resume' }).click();
  await expectLoaded(page, NAME);
  const ranges = models.ranges(path);
  expect(ranges).toHaveLength(2);
  expect(ranges[0]).toBeNull();
  const resumedAt = Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1]);
  expect(resumedAt % CHUNK).toBe(0);
  expect(resumedAt).toBeGreaterThan(0);
  expect(models.served(path)).toBeLessThanOrEqual(SIZE + CHUNK);
  await expect(libraryRow(page, NAME)).toHaveAttribute('data-status', 'complete');
  expect((await send(page, 'Hi')).locator('.text')).toBeDefined();
});

test('a download interrupted by a reload resumes after it', async ({ page, models }) => {
  const path = scratch('reload');
  models.behave(path, { rate: 150_000 });
  await openApp(page);
  await storeBaseline(page, models);

  await loadByUrl(page, `${models.origin}${path}`);
  await waitForProgress(page, 0.4);
  await page.reload();
  await openApp(page);
  await openView(page, 'Models');
  await expect(libraryRow(page, NAME)).toHaveAttribute('data-status', 'partial');
  await expect(libraryRow(page, NAME)).toContainText(/\d+ KB of 1\.2 MB stored/);
  await expectBaselineIntact(page, '', false);

  models.behave(path, {});
  await page.getByRole('button', { name: `Resume ${NAME}` }).click();
  await expectLoaded(page, NAME);
  expect(models.ranges(path)[1]).toMatch(/^bytes=[1-9]\d*-$/);
  // The first request's bytes in flight when the page went away are the only ones sent twice.
  expect(models.served(path)).toBeLessThanOrEqual(SIZE + CHUNK + 64 * 1024);
});

test('Cancel keeps what was downloaded: it can be resumed or discarded', async ({
  page,
  models,
}) => {
  const path = scratch('cancel');
  models.behave(path, { rate: 150_000 });
  await openApp(page);
  await loadByUrl(page, `${models.origin}${path}`);
  await waitForProgress(page, 0.2);
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(modelStatus(page)).toHaveText('No model loaded.');
  await expect(libraryRow(page, NAME)).toHaveAttribute('data-status', 'partial');
  // A partial download is never offered as a loadable model.
  await page.getByRole('button', { name: 'Switch model' }).click();
  await expect(page.getByRole('dialog', { name: 'Switch model' })).not.toContainText(NAME);
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: `Discard ${NAME}` }).click();
  await expect(libraryRow(page, NAME)).toHaveCount(0);
  await page.reload();
  await openApp(page);
  await openView(page, 'Models');
  await expect(page.getByText('No models stored yet.')).toBeVisible();

  models.behave(path, {});
  await loadByUrl(page, `${models.origin}${path}`);
  await expectLoaded(page, NAME);
  expect(models.ranges(path).at(-1)).toBeNull(); // discarded: started from scratch
});

test('a file whose SHA-256 does not match the listing is rejected and can be re-downloaded', async ({
  page,
  context,
  models,
}) => {
  const path = scratch('sha');
  models.behave(path, { wrongBytes: true });
  await fakeRepo(context, models, [{ name: FILE, servedFrom: path, size: SIZE, sha256: SHA256 }]);
  await openApp(page);
  const answer = await storeBaseline(page, models);

  const listing = await listRepo(page);
  await expect(listing).toContainText(FILE);
  await expect(listing).toContainText('1.2 MB');
  await listing.getByRole('button', { name: `Load ${FILE}` }).click();
  await expect(alert(page)).toContainText('SHA-256 check failed');
  await expect(alert(page)).toContainText(`expected ${SHA256.slice(0, 12)}`);
  await expect(libraryRow(page, NAME)).toHaveCount(0); // nothing wrong is kept
  await expectBaselineIntact(page, answer);
  await expect(modelStatus(page)).toContainText('stories260K-chat-q8_0');

  models.behave(path, {});
  await alert(page).getByRole('button', { name: 'Download again' }).click();
  await expectLoaded(page, NAME);
  await expect(libraryRow(page, NAME)).toHaveAttribute('data-status', 'complete');
});

test('a truncated file fails the size check and is not kept', async ({ page, context, models }) => {
  const path = scratch('short');
  models.behave(path, { truncateTo: 600_000 });
  await fakeRepo(context, models, [{ name: FILE, servedFrom: path, size: SIZE, sha256: SHA256 }]);
  await openApp(page);
  const answer = await storeBaseline(page, models);

  const listing = await listRepo(page);
  await listing.getByRole('button', { name: `Load ${FILE}` }).click();
  await expect(alert(page)).toContainText('Size check failed');
  await expect(alert(page)).toContainText('600 KB');
  await expect(libraryRow(page, NAME)).toHaveCount(0);
  await expectBaselineIntact(page, answer);
});

test('a server that ignores Range gets a clean restart and a correct file', async ({
  page,
  models,
}) => {
  const path = scratch('norange');
  models.behave(path, { cutAfter: 600_000, ignoreRange: true, rate: 400_000 });
  await openApp(page);
  const answer = await storeBaseline(page, models);

  await loadByUrl(page, `${models.origin}${path}`);
  await expect(alert(page)).toContainText('The download stopped early');
  await alert(page).getByRole('button', { name: 'Resume' }).click();
  await expectLoaded(page, NAME);
  expect(models.ranges(path)[1]).toMatch(/^bytes=/); // asked to resume…
  expect(models.served(path)).toBeGreaterThanOrEqual(SIZE); // …got the whole file again
  await expectBaselineIntact(page, answer);
  const reply = await send(page, 'Hello');
  expect((await reply.locator('.text').innerText()).trim().length).toBeGreaterThan(0);
});

test('a download that will not fit the quota is refused up front, with the numbers', async ({
  page,
  context,
  models,
}) => {
  // Chromium's estimate() reports usage + 10 GiB whatever the real quota (see setQuota), so the
  // up-front refusal is shown with a model bigger than that: a listing that says 20 GB.
  const path = scratch('quota-up-front');
  await fakeRepo(context, models, [
    { name: 'huge-F16.gguf', servedFrom: path, size: 20e9, sha256: SHA256 },
  ]);
  await openApp(page);
  const answer = await storeBaseline(page, models);

  const listing = await listRepo(page);
  await listing.getByRole('button', { name: 'Load huge-F16.gguf' }).click();
  await expect(alert(page)).toContainText(/Not enough storage: this model needs 20\.0 GB more/);
  await expect(alert(page)).toContainText(/the browser allows 10\.\d GB more \(quota 10\.\d GB\)/);
  expect(models.hits().get(path)).toBeUndefined(); // refused before any request
  await expect(libraryRow(page, 'huge-F16')).toHaveCount(0);
  await expectBaselineIntact(page, answer);
});

test('a quota that runs out mid-download keeps what was stored, and it resumes', async ({
  page,
  models,
}) => {
  const path = scratch('quota-mid');
  models.behave(path, { rate: 400_000 });
  // A quota with room for the baseline model and about half of this one. Set before the app
  // opens its databases (here, an override set while they were open was not enforced); estimate()
  // does not show it (see setQuota), so the download starts and the quota runs out on the way.
  await page.goto('/');
  await setQuota(page, 2_000_000);
  await openApp(page);
  const answer = await storeBaseline(page, models);
  await loadByUrl(page, `${models.origin}${path}`);
  await expect(alert(page)).toContainText('ran out of storage space');
  await expect(alert(page)).toContainText('are kept');
  await expect(libraryRow(page, NAME)).toHaveAttribute('data-status', 'partial');
  await expectBaselineIntact(page, answer);

  await setQuota(page, 10e9);
  models.behave(path, {});
  await alert(page).getByRole('button', { name: 'Resume' }).click();
  await expectLoaded(page, NAME);
  expect(models.ranges(path)[1]).toMatch(/^bytes=[1-9]\d*-$/);
  // Resumed, not restarted: what was stored is not fetched again. The first, throttled response
  // may have had a chunk or two in flight when the quota ran out.
  expect(models.served(path)).toBeLessThanOrEqual(SIZE + 3 * CHUNK);
});

test('two tabs loading the same model download it once', async ({ page, context, models }) => {
  const path = scratch('tabs');
  models.behave(path, { rate: 200_000 });
  await openApp(page);
  await loadByUrl(page, `${models.origin}${path}`);
  await waitForProgress(page, 0.1);

  const second = await context.newPage();
  await openApp(second);
  await loadByUrl(second, `${models.origin}${path}`);
  await expect(second.getByText(`Downloading ${NAME} in another tab`)).toBeVisible();

  await expectLoaded(page, NAME);
  await expectLoaded(second, NAME);
  await expect(modelStatus(second)).toContainText('loaded from this device');
  expect(models.hits().get(path)).toBe(1);
  expect(models.served(path)).toBe(SIZE);
});

test('deleting models frees their space; delete all empties the library', async ({
  page,
  models,
}) => {
  await openApp(page);
  const answer = await storeBaseline(page, models);
  await loadByUrl(page, models.url(FILE));
  await expectLoaded(page, NAME);
  await expect(libraryRow(page, NAME)).toContainText('F32 · 1.2 MB · stored');
  await expect(libraryRow(page, NAME)).toContainText('last used');

  const library = page.getByRole('region', { name: 'Library' });
  await expect(library.getByTestId('storage-quota')).toHaveText(/^\d+(\.\d)? (MB|GB)$/);
  await expect(
    library.getByText('Persistent storage').locator('xpath=following-sibling::dd[1]'),
  ).toHaveText(/^(granted|not granted \(the browser may evict models when space runs low\))$/);
  const before = await storageUsage(page);
  await page.getByRole('button', { name: `Delete ${NAME}` }).click();
  await expect(libraryRow(page, NAME)).toHaveCount(0);
  await expect.poll(() => storageUsage(page)).toBeLessThan(before - 1_000_000);
  await expectBaselineIntact(page, answer);

  await page.getByRole('button', { name: 'Delete all models' }).click();
  await page.getByRole('button', { name: 'Keep them' }).click();
  await expect(libraryList(page).getByRole('listitem')).toHaveCount(1);
  await page.getByRole('button', { name: 'Delete all models' }).click();
  await page
    .getByRole('group', { name: 'Confirm deleting all models' })
    .getByRole('button', { name: 'Delete 1 model' })
    .click();
  await expect(page.getByText('No models stored yet.')).toBeVisible();
  await expect(libraryList(page)).toHaveCount(0);
});

test('a local file loads and chats with the network blocked', async ({ page, context, models }) => {
  await openApp(page);
  const appOrigin = new URL(page.url()).origin;
  const blocked: string[] = [];
  await context.route(
    (url) => url.origin !== appOrigin && url.protocol !== 'blob:' && url.protocol !== 'data:',
    (route) => {
      blocked.push(route.request().url());
      return route.abort('internetdisconnected');
    },
  );
  const before = models.totalHits();

  await openView(page, 'Models');
  await page
    .getByLabel(/Add a GGUF file from this device/)
    .setInputFiles(join(sharedModelsDir(), FILE));
  await expectLoaded(page, NAME);
  const reply = await send(page, 'Hello');
  expect((await reply.locator('.text').innerText()).trim().length).toBeGreaterThan(0);
  await openView(page, 'Models');
  await expect(libraryRow(page, NAME)).toContainText('F32 · 1.2 MB');

  // Dropping a file works the same way.
  const q4 = readFileSync(join(sharedModelsDir(), 'stories260K-chat-q4_0.gguf'));
  const drop = await page.evaluateHandle(
    (bytes) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], 'stories260K-chat-q4_0.gguf'));
      return transfer;
    },
    [...q4],
  );
  await page.getByTestId('local-drop-zone').dispatchEvent('drop', { dataTransfer: drop });
  await expectLoaded(page, 'stories260K-chat-q4_0');

  expect(blocked).toEqual([]);
  expect(models.totalHits()).toBe(before);
});

test('a model too big for the device is flagged before download', async ({
  page,
  context,
  models,
}) => {
  await fakeRepo(context, models, [
    { name: 'huge-F16.gguf', servedFrom: '/none', size: 40e9, sha256: SHA256 },
    { name: FILE, servedFrom: `/${FILE}`, size: SIZE, sha256: SHA256 },
  ]);
  await openApp(page);
  const listing = await listRepo(page);
  const huge = listing.getByRole('listitem').filter({ hasText: 'huge-F16.gguf' });
  await expect(huge).toContainText('F16');
  await expect(huge).toContainText('40.0 GB');
  await expect(huge.getByRole('note')).toContainText('will likely not fit');
  const small = listing.getByRole('listitem').filter({ hasText: FILE });
  await expect(small.getByRole('note')).toHaveCount(0);
  // The catalog's estimates include the KV cache for the context size.
  await expect(page.locator('.memory[title*="KV cache for 4096 tokens"]').first()).toBeAttached();
});

test('a split GGUF from a repo loads as one model; a cut in part 2 resumes part 2 only', async ({
  page,
  context,
  models,
}) => {
  const directory = mkdtempSync(join(tmpdir(), 'split-gguf-'));
  const parts = splitGguf(readFileSync(join(sharedModelsDir(), FILE)));
  const names = parts.map((_, i) => `tiny-chat-0000${i + 1}-of-00002.gguf`);
  parts.forEach((bytes, i) => writeFileSync(join(directory, names[i] ?? ''), bytes));
  const splitServer = await startModelServer(directory);
  try {
    await fakeRepo(
      context,
      models,
      parts.map((bytes, i) => ({
        name: names[i] ?? '',
        servedFrom: `/${names[i] ?? ''}`,
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      })),
      splitServer.origin,
    );
    await openApp(page);
    const listing = await listRepo(page);
    await expect(listing.getByRole('listitem')).toHaveCount(1);
    await expect(listing).toContainText('tiny-chat.gguf');
    await expect(listing).toContainText('in 2 parts');
    const second = `/${names[1] ?? ''}`;
    splitServer.behave(second, { cutAfter: 300_000, rate: 400_000 });
    await listing.getByRole('button', { name: 'Load tiny-chat.gguf' }).click();
    await expect(alert(page)).toContainText('The download stopped early');
    await expect(libraryRow(page, 'tiny-chat')).toHaveAttribute('data-status', 'partial');

    await alert(page).getByRole('button', { name: 'Resume' }).click();
    await expectLoaded(page, 'tiny-chat');
    // Part 1 was stored whole before the cut: it is not asked for again.
    expect(names.map((name) => splitServer.hits().get(`/${name}`))).toEqual([1, 2]);
    expect(splitServer.ranges(second)[1]).toMatch(/^bytes=[1-9]\d*-$/);
    expect(splitServer.served(second)).toBeLessThan(parts[1].length + 300_000);
    await expect(libraryList(page).getByRole('listitem')).toHaveCount(1);
    await expect(libraryRow(page, 'tiny-chat')).toContainText('1.2 MB');
    const reply = await send(page, 'Hello');
    expect((await reply.locator('.text').innerText()).trim().length).toBeGreaterThan(0);
  } finally {
    await splitServer.close();
  }
});
