import type { Page } from '@playwright/test';
import {
  answerNumber,
  expect,
  expectLoaded,
  loadByUrl,
  openApp,
  openView,
  recentAnswers,
  send,
  setSampling,
  test,
} from './support/fixtures.ts';

test.beforeEach(async ({ page, models }) => {
  // Every Content-Security-Policy violation of the page, from its first script on.
  await page.addInitScript(() => {
    const seen: string[] = [];
    Object.assign(window, { cspViolations: seen });
    document.addEventListener('securitypolicyviolation', (event) =>
      seen.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  await openApp(page);
  await loadByUrl(page, models.url('stories260K-chat-q8_0.gguf'));
  await expectLoaded(page, 'stories260K-chat-q8_0');
  await openView(page, 'Chat');
});

const cspViolations = (page: Page) =>
  page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);

test('chats on WebGPU with streamed text, a live rate and chart, and speed under each answer', async ({
  page,
}) => {
  await expect(page.getByTestId('backend')).toContainText('WebGPU');
  await expect(page.getByRole('radio', { name: 'Chat' })).toBeChecked();
  await setSampling(page, { maxTokens: 48 });

  await page.getByLabel('Message', { exact: true }).fill('Hello there');
  await page.keyboard.press('Enter');
  const answer = page.getByRole('article', { name: 'Model' }).last();
  // Streamed: text, a live rate and a chart of tokens per second while it is being generated.
  await expect(answer).toHaveAttribute('data-status', 'streaming');
  await expect(answer.locator('.text')).not.toHaveText('');
  await expect(answer.getByTestId('live-decode')).toHaveText(/^\d/);
  await expect(
    answer.getByRole('img', { name: 'Tokens per second over this answer' }),
  ).toBeVisible();
  await expect(answer).not.toHaveAttribute('data-status', 'streaming', { timeout: 60_000 });

  // Finished: decode rate, time to first token and tokens in one line, the rest one click away.
  expect((await answer.locator('.text').innerText()).trim().length).toBeGreaterThan(0);
  await expect(answer.getByRole('img')).toHaveCount(0);
  const summary = answer.getByText(/tok\/s · [\d.]+ m?s to first token · \d+ tokens$/);
  await expect(summary).toBeVisible();
  await summary.click();
  const numbers = answer.getByRole('definition');
  await expect(numbers.first()).toBeVisible();
  expect(await answerNumber(answer, 'decode-rate')).toBeGreaterThan(0);
  expect(await answerNumber(answer, 'prefill-rate')).toBeGreaterThan(0);
  expect(await answerNumber(answer, 'prompt-tokens')).toBeGreaterThan(0);
  expect(await answerNumber(answer, 'output-tokens')).toBeGreaterThan(0);
  expect(await answerNumber(answer, 'ttft')).toBeGreaterThan(0);

  // The details table of recent answers, with the engine and the backend that ran each.
  const table = await recentAnswers(page);
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table.getByRole('row').nth(1)).toContainText('GGUF');
  await expect(table.getByRole('row').nth(1)).toContainText('WebGPU');
  await send(page, 'Tell me more');
  await expect(table.getByRole('row')).toHaveCount(3);

  // The chart is drawn on a canvas: nothing it does needs what the CSP forbids.
  expect(await cspViolations(page)).toEqual([]);
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
  // The composer stays on screen however long the answer grows.
  await expect(page.getByLabel('Message', { exact: true })).toBeInViewport();
  await page.getByRole('button', { name: 'Stop' }).click();

  await expect(answer).toHaveAttribute('data-status', 'stopped');
  const partial = await answer.locator('.text').innerText();
  expect(partial.trim().length).toBeGreaterThan(0);
  await expect(answer.getByText('Stopped.')).toBeVisible();
  // Far fewer tokens than the limit: it really stopped.
  const output = await answerNumber(answer, 'output-tokens');
  expect(output).toBeGreaterThan(0);
  expect(output).toBeLessThan(4000);

  await setSampling(page, { maxTokens: 16 });
  const next = await send(page, 'And then?');
  await expect(next).toHaveAttribute('data-status', /done|length/);
  expect((await next.locator('.text').innerText()).trim().length).toBeGreaterThan(0);
  // The stopped answer is still there, unchanged.
  const stopped = page.getByRole('article', { name: 'Model' }).first();
  expect(await stopped.locator('.text').innerText()).toBe(partial);
});

test('Esc stops the answer, from wherever the focus is', async ({ page }) => {
  await setSampling(page, { maxTokens: 4000 });
  await page.getByLabel('Message', { exact: true }).fill('Tell me a long story');
  await page.keyboard.press('Enter');
  const answer = page.getByRole('article', { name: 'Model' }).last();
  await expect(answer.locator('.text')).toHaveText(/\S+\s+\S+\s+\S+/);
  await page.getByRole('heading', { name: 'Chats' }).click(); // focus leaves the composer
  await page.keyboard.press('Escape');
  await expect(answer).toHaveAttribute('data-status', 'stopped');
  const output = await answerNumber(answer, 'output-tokens');
  expect(output).toBeGreaterThan(0);
  expect(output).toBeLessThan(4000);
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
});

test('New chat, by button or by Ctrl+Shift+O, starts an empty conversation with the model still loaded', async ({
  page,
}) => {
  await setSampling(page, { maxTokens: 8 });
  await send(page, 'Hello');
  await expect(page.getByRole('article')).toHaveCount(2);
  await page.getByRole('button', { name: 'New chat' }).click();
  await expect(page.getByRole('article')).toHaveCount(0);
  await send(page, 'Hello again');
  await expect(page.getByRole('article')).toHaveCount(2);

  // The shortcut works from another view too, and lands in the chat's composer.
  await openView(page, 'Models');
  await page.keyboard.press('Control+Shift+O');
  await expect(page.getByRole('main', { name: 'Chat', exact: true })).toBeVisible();
  await expect(page.getByRole('article')).toHaveCount(0);
  await expect(page.getByLabel('Message', { exact: true })).toBeFocused();
  await expect(page.getByRole('list', { name: 'Saved chats' }).getByRole('listitem')).toHaveCount(
    2,
  );
});
