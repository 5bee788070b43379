import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { ensureSyntheticGguf, syntheticFileName } from '../scripts/bench/synthetic-gguf.ts';
import { sharedModelsDir } from '../scripts/shared-dir.ts';
import { startModelServer, type ModelServer } from './support/model-server.ts';
import {
  chooseBackend,
  expect,
  expectBaselineIntact,
  expectLoaded,
  libraryList,
  loadByUrl,
  modelStatus,
  openApp,
  openView,
  send,
  setSampling,
  storeBaseline,
  test,
} from './support/fixtures.ts';

/**
 * A model too big for memory, for real: 16 MB of weights whose KV cache at its trained
 * 32768-token context takes 5 GiB (see `kv-5g` in synthetic-gguf.ts), more than llama.cpp's
 * WebAssembly heap can ever hold (4 GiB). It runs on the CPU, where that heap is the limit and
 * the allocation fails at once. On WebGPU its 4096-wide heads do not run at any context.
 */
const OVERSIZED = { size: 'kv-5g', type: 'q8_0' } as const;
const NAME = syntheticFileName(OVERSIZED).replace('.gguf', '');

let oversized: ModelServer;
test.beforeAll(async () => {
  const dir = join(tmpdir(), 'tab-llm-e2e-oversized');
  mkdirSync(dir, { recursive: true });
  ensureSyntheticGguf(dir, OVERSIZED, () => join(sharedModelsDir(), 'llama-2-tiny-random.gguf'));
  oversized = await startModelServer(dir);
});
test.afterAll(async () => oversized.close());

const engineAlert = (page: Page) =>
  page.getByRole('alert').filter({ has: page.getByRole('button', { name: 'Dismiss' }) });

test('a model too big for memory says what did not fit, keeps everything, and loads with a context that fits', async ({
  page,
  models,
}) => {
  await openApp(page);
  const baseline = await storeBaseline(page, models);
  await chooseBackend(page, 'cpu');
  await page.getByLabel('Context size (tokens)').selectOption('32768');

  await loadByUrl(page, oversized.url(syntheticFileName(OVERSIZED)));
  const alert = engineAlert(page);
  await expect(alert).toContainText(
    'This model does not fit in memory with a 32,768-token context: it needs about 5.4 GB',
    { timeout: 90_000 },
  );
  await expect(alert).toContainText(
    'llama.cpp could not allocate its KV cache in WebAssembly memory (at most 4.3 GB on the CPU)',
  );
  await expect(alert).toContainText('Your chats and stored models are kept');
  await expect(alert).toContainText('Load it with a 4,096-token context');
  await expect(modelStatus(page)).toHaveText('No model loaded.');
  // The model is stored and whole: only the memory was short.
  await expect(libraryList(page).getByRole('listitem', { name: NAME })).toHaveAttribute(
    'data-status',
    'complete',
  );

  // One click: the smaller context, kept for later loads, and the model answers.
  await alert.getByRole('button', { name: 'Load with 4,096 tokens' }).click();
  await expectLoaded(page, NAME);
  await expect(modelStatus(page)).toContainText('CPU');
  await expect(modelStatus(page)).toContainText('context 4096 tokens');
  await expect(alert).toHaveCount(0);
  await openView(page, 'Models');
  await expect(page.getByLabel('Context size (tokens)')).toHaveValue('4096');
  // Greedy: sampled at random, random weights may pick a byte that is not valid text.
  await setSampling(page, { maxTokens: 4, temperature: 0 });
  const answer = await send(page, 'Hello');
  await expect(answer).toHaveAttribute('data-status', /done|length/);

  await expectBaselineIntact(page, baseline);
  await expect(libraryList(page).getByRole('listitem')).toHaveCount(2);
});

test("a model llama.cpp's WebGPU backend cannot run says llama.cpp's reason, and Load on the CPU runs it", async ({
  page,
  models,
}) => {
  // The same file at the default 4096-token context: its 4096-wide attention heads are a shape
  // the WebGPU kernels lack, and llama.cpp aborts while it plans the graph.
  await openApp(page);
  const baseline = await storeBaseline(page, models);
  await loadByUrl(page, oversized.url(syntheticFileName(OVERSIZED)));
  const alert = engineAlert(page);
  await expect(alert).toContainText('The engine could not load this model: llama.cpp stopped: ', {
    timeout: 90_000,
  });
  await expect(alert).toContainText('cannot run the operation');

  await alert.getByRole('button', { name: 'Load on the CPU' }).click();
  await expectLoaded(page, NAME);
  await expect(modelStatus(page)).toContainText('CPU');
  await expect(alert).toHaveCount(0);
  // Greedy: sampled at random, random weights may pick a byte that is not valid text.
  await setSampling(page, { maxTokens: 4, temperature: 0 });
  const answer = await send(page, 'Hello');
  await expect(answer).toHaveAttribute('data-status', /done|length/);

  await expectBaselineIntact(page, baseline);
  await expect(libraryList(page).getByRole('listitem')).toHaveCount(2);
});
