import {
  expect,
  expectLoaded,
  loadByUrl,
  openApp,
  send,
  setSampling,
  test,
} from './support/fixtures.ts';

test.beforeEach(async ({ page, models }) => {
  await openApp(page);
  await loadByUrl(page, models.url('stories260K-chat-q8_0.gguf'));
  await expectLoaded(page, 'stories260K-chat-q8_0');
});

test('chats on WebGPU with streamed text and a tokens-per-second panel', async ({ page }) => {
  await expect(page.getByTestId('backend')).toContainText('WebGPU');
  await expect(page.getByRole('radio', { name: 'Chat' })).toBeChecked();
  await setSampling(page, { maxTokens: 48 });

  await page.getByLabel('Message', { exact: true }).fill('Hello there');
  await page.keyboard.press('Enter');
  const answer = page.getByRole('article', { name: 'Model' }).last();
  // Streamed: text is visible while the answer is still being generated.
  await expect(answer).toHaveAttribute('data-status', 'streaming');
  await expect(answer.locator('.text')).not.toHaveText('');
  await expect(page.getByTestId('live-decode')).toHaveText(/^\d/);
  await expect(answer).not.toHaveAttribute('data-status', 'streaming', { timeout: 60_000 });

  expect((await answer.locator('.text').innerText()).trim().length).toBeGreaterThan(0);
  expect(Number(await page.getByTestId('decode-rate').innerText())).toBeGreaterThan(0);
  expect(Number(await page.getByTestId('prefill-rate').innerText())).toBeGreaterThan(0);
  expect(Number(await page.getByTestId('prompt-tokens').innerText())).toBeGreaterThan(0);
  expect(Number(await page.getByTestId('output-tokens').innerText())).toBeGreaterThan(0);
  expect(parseInt(await page.getByTestId('ttft').innerText())).toBeGreaterThan(0);
  await expect(page.getByTestId('engine')).toHaveText('GGUF (llama.cpp)');
  await expect(page.getByTestId('stats-backend')).toContainText('WebGPU');

  // A second answer moves the first into the history table.
  await send(page, 'Tell me more');
  await expect(page.getByRole('table', { name: 'Previous answers' }).getByRole('row')).toHaveCount(
    2,
  );
});

test('Enter sends, Shift+Enter starts a new line', async ({ page }) => {
  const box = page.getByLabel('Message', { exact: true });
  await box.fill('first line');
  await box.press('Shift+Enter');
  await box.pressSequentially('second line');
  await expect(box).toHaveValue('first line\nsecond line');
  await expect(page.getByRole('article', { name: 'You' })).toHaveCount(0);

  await setSampling(page, { maxTokens: 8 });
  await box.press('Enter');
  await expect(page.getByRole('article', { name: 'You' })).toHaveText(/first line\s+second line/);
  await expect(box).toHaveValue('');
});

test('Stop keeps the partial answer, and the next message works', async ({ page }) => {
  await setSampling(page, { maxTokens: 4000 });
  await page.getByLabel('Message', { exact: true }).fill('Tell me a long story');
  await page.keyboard.press('Enter');
  const answer = page.getByRole('article', { name: 'Model' }).last();
  await expect(answer.locator('.text')).toHaveText(/\S+\s+\S+\s+\S+/); // a few words in

  // The view follows the answer, until the reader scrolls up: then it stays where they are.
  const log = page.getByRole('log', { name: 'Conversation' });
  const hiddenBelow = () => log.evaluate((e) => e.scrollHeight - e.clientHeight);
  await expect.poll(hiddenBelow, { timeout: 90_000 }).toBeGreaterThan(0);
  // At the bottom: measured in one step, so the text cannot grow between two readings.
  expect(await log.evaluate((e) => e.scrollHeight - e.clientHeight - e.scrollTop)).toBe(0);
  await log.evaluate((e) => e.scrollTo({ top: 0 }));
  const grownFrom = await hiddenBelow();
  await expect.poll(hiddenBelow).toBeGreaterThan(grownFrom + 20);
  expect(await log.evaluate((e) => e.scrollTop)).toBe(0);
  await page.getByRole('button', { name: 'Stop' }).click();

  await expect(answer).toHaveAttribute('data-status', 'stopped');
  const partial = await answer.locator('.text').innerText();
  expect(partial.trim().length).toBeGreaterThan(0);
  await expect(answer.getByText('Stopped.')).toBeVisible();
  // Far fewer tokens than the limit: it really stopped.
  expect(Number(await page.getByTestId('output-tokens').innerText())).toBeLessThan(4000);

  await setSampling(page, { maxTokens: 16 });
  const next = await send(page, 'And then?');
  await expect(next).toHaveAttribute('data-status', /done|length/);
  expect((await next.locator('.text').innerText()).trim().length).toBeGreaterThan(0);
  // The stopped answer is still there, unchanged.
  const stopped = page.getByRole('article', { name: 'Model' }).first();
  expect(await stopped.locator('.text').innerText()).toBe(partial);
});

test('New chat starts an empty conversation with the model still loaded', async ({ page }) => {
  await setSampling(page, { maxTokens: 8 });
  await send(page, 'Hello');
  await expect(page.getByRole('article')).toHaveCount(2);
  await page.getByRole('button', { name: 'New chat' }).click();
  await expect(page.getByRole('article')).toHaveCount(0);
  await send(page, 'Hello again');
  await expect(page.getByRole('article')).toHaveCount(2);
});
