import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import type { Page } from '@playwright/test';
import {
  deviceFact,
  expect,
  expectBaselineIntact,
  expectLoaded,
  libraryRow,
  loadByUrl,
  modelStatus,
  openApp,
  openView,
  storageUsage,
  storeBaseline,
  test,
} from './support/fixtures.ts';

test('an MLC model with no network ends in "could not download", and the app stays usable', async ({
  page,
  context,
  models,
}) => {
  // No model host is reachable (this machine has no internet; the route makes that certain).
  const attempted: string[] = [];
  await context.route(/huggingface\.co|githubusercontent\.com/, (route) => {
    attempted.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  await openApp(page);
  await openView(page, 'Models');
  // MLC needs the adapter (a missing one fails here, not as a disabled Load button).
  await expect(deviceFact(page, 'WebGPU'), 'the WebGPU adapter').toHaveText('available');
  await page.getByLabel('Filter models').fill('SmolLM2-135M');
  await page.getByRole('button', { name: 'Load SmolLM2-135M-Instruct-q0f32-MLC' }).click();

  const alert = page.getByRole('alert');
  await expect(alert).toContainText(
    'Could not download the model from huggingface.co: the network request failed.',
  );
  await expect(alert).toContainText('Check your connection');
  expect(attempted.some((url) => url.includes('huggingface.co'))).toBe(true);
  await expect(modelStatus(page)).toHaveText('No model loaded.');
  await expect(page.getByText('No models stored yet.')).toBeVisible();

  await page.getByRole('button', { name: 'Dismiss' }).click();
  await loadByUrl(page, models.url('stories260K-chat-q4_0.gguf'));
  await expectLoaded(page, 'stories260K-chat-q4_0');
});

/**
 * What web-llm leaves in IndexedDB after it downloaded a model with `cacheBackend: 'indexeddb'`
 * (tvmjs's ArtifactIndexedDBCache: one database per scope, records `{ url, data }` in `urls`), and
 * the record the app keeps of it. The bytes are random, as weights are, so nothing compresses.
 */
async function seedStoredMlcModel(
  page: Page,
  seed: { modelId: string; modelUrl: string; modelLib: string; shardBytes: number },
) {
  await page.evaluate(async ({ modelId, modelUrl, modelLib, shardBytes }) => {
    const randomBytes = (size: number) => {
      const bytes = new Uint8Array(size);
      for (let at = 0; at < size; at += 65536)
        crypto.getRandomValues(bytes.subarray(at, at + 65536));
      return bytes.buffer;
    };
    const put = (database: string, store: string, records: [IDBValidKey | undefined, unknown][]) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open(database, 1);
        open.onupgradeneeded = () =>
          open.result.createObjectStore(store, store === 'urls' ? { keyPath: 'url' } : undefined);
        open.onerror = () => reject(open.error ?? new Error(`open ${database}`));
        open.onsuccess = () => {
          const transaction = open.result.transaction(store, 'readwrite');
          for (const [key, value] of records) transaction.objectStore(store).put(value, key);
          transaction.oncomplete = () => {
            open.result.close();
            resolve();
          };
          transaction.onerror = () => reject(transaction.error ?? new Error(`put ${database}`));
        };
      });
    const cached = (url: string, data: unknown): [undefined, unknown] => [undefined, { url, data }];
    const shards = ['params_shard_0.bin', 'params_shard_1.bin'];
    await put('webllm/model', 'urls', [
      cached(new URL('tensor-cache.json', modelUrl).href, {
        records: shards.map((dataPath) => ({ dataPath })),
      }),
      ...shards.map((name) => cached(new URL(name, modelUrl).href, randomBytes(shardBytes))),
      cached(new URL('tokenizer.json', modelUrl).href, randomBytes(100_000)),
    ]);
    await put('webllm/config', 'urls', [
      cached(new URL('mlc-chat-config.json', modelUrl).href, { tokenizer_files: [] }),
    ]);
    await put('webllm/wasm', 'urls', [cached(modelLib, randomBytes(1_000_000))]);
    const storedBytes = 2 * shardBytes + 1_100_000;
    await put('tab-llm-mlc-models', 'models', [
      [modelId, { version: 1, modelId, storedAt: Date.now(), storedBytes }],
    ]);
  }, seed);
}

/** The keys of web-llm's cached records (in all its databases) that start with one of `prefixes`. */
const webLlmKeys = (page: Page, prefixes: string[]) =>
  page.evaluate(async (prefixes) => {
    const found: string[] = [];
    for (const database of ['webllm/model', 'webllm/config', 'webllm/wasm']) {
      const keys = await new Promise<IDBValidKey[]>((resolve, reject) => {
        const open = indexedDB.open(database, 1);
        open.onupgradeneeded = () => open.result.createObjectStore('urls', { keyPath: 'url' });
        open.onerror = () => reject(open.error ?? new Error(`open ${database}`));
        open.onsuccess = () => {
          const request = open.result.transaction('urls').objectStore('urls').getAllKeys();
          request.onsuccess = () => {
            open.result.close();
            resolve(request.result);
          };
        };
      });
      found.push(
        ...keys.filter(
          (k): k is string => typeof k === 'string' && prefixes.some((p) => k.startsWith(p)),
        ),
      );
    }
    return found.sort();
  }, prefixes);

test("a stored MLC model is listed, and Delete removes it through web-llm's cache utilities", async ({
  page,
  models,
}) => {
  const modelId = 'SmolLM2-135M-Instruct-q0f32-MLC';
  const record = prebuiltAppConfig.model_list.find((m) => m.model_id === modelId);
  if (!record) throw new Error(`${modelId} is not in web-llm's prebuilt list`);
  // web-llm's own rule for where a model's files live (`cleanModelUrl`).
  const modelUrl = `${record.model.replace(/\/$/, '')}/resolve/main/`;
  const shardBytes = 4_000_000;

  await openApp(page);
  const answer = await storeBaseline(page, models);
  await seedStoredMlcModel(page, { modelId, modelUrl, modelLib: record.model_lib, shardBytes });
  await page.reload();
  await openApp(page);
  // The reload reopens the baseline model, which writes when it was used: done before the usage
  // is measured, so that only the deletion changes it.
  await expectLoaded(page, 'stories260K-chat-q8_0');
  await openView(page, 'Models');

  const row = libraryRow(page, modelId);
  await expect(row).toHaveAttribute('data-status', 'complete');
  await expect(row).toContainText('MLC · q0f32 · ≈ 9.1 MB');
  const owned = [modelUrl, record.model_lib];
  expect(await webLlmKeys(page, owned)).toHaveLength(6);
  const before = await storageUsage(page);

  await page.getByRole('button', { name: `Delete ${modelId}` }).click();
  await expect(row).toHaveCount(0);
  // Weights, tokenizer, config and library are gone. web-llm's `deleteTensorCache` keeps the
  // shard index (a few KB) it read to find the shards; without them the model is not stored.
  expect(await webLlmKeys(page, owned)).toEqual([`${modelUrl}tensor-cache.json`]);
  await expect.poll(() => storageUsage(page)).toBeLessThan(before - 2 * shardBytes);
  await page.reload();
  await openApp(page);
  await openView(page, 'Models');
  await expect(libraryRow(page, 'stories260K-chat-q8_0')).toBeVisible();
  await expect(row).toHaveCount(0);
  await expectBaselineIntact(page, answer);
});
