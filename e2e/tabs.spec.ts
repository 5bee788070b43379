import type { Page } from '@playwright/test';
import {
  expect,
  expectLoaded,
  loadByUrl,
  openApp,
  openView,
  setSampling,
  test,
} from './support/fixtures.ts';

// Random weights and Llama 2's 32,000-token vocabulary: it almost never says end-of-text, so an
// answer runs to its token limit, long enough for another tab to ask in the middle of it.
const MODEL = 'llama-2-tiny-random.gguf';
const NAME = 'llama-2-tiny-random';

const lastAnswer = (page: Page) => page.getByRole('article', { name: 'Model' }).last();
const waitNote = (page: Page) =>
  page.getByRole('status').filter({ hasText: 'Waiting for another tab' });

/** Types a message and sends it, without waiting for the answer. */
async function ask(page: Page, text: string) {
  await openView(page, 'Chat');
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.keyboard.press('Enter');
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'streaming');
}

async function openWithModel(page: Page, url: string, maxTokens: number) {
  await openApp(page);
  await loadByUrl(page, url);
  await expectLoaded(page, NAME);
  await setSampling(page, { maxTokens, mode: 'Text completion' });
}

test('two tabs answering at once: the second waits with a note, then both finish', async ({
  page,
  context,
  models,
}) => {
  await openWithModel(page, models.url(MODEL), 400);
  const second = await context.newPage();
  await openWithModel(second, models.url(MODEL), 16);

  await ask(page, 'The first tab');
  await expect(lastAnswer(page).locator('.text')).not.toBeEmpty();
  await ask(second, 'The second tab');
  // Asked while the first tab's answer streams: it waits for its turn, and says so.
  await expect(waitNote(second)).toBeVisible();
  const waitSeen = Date.now();
  await expect(lastAnswer(page)).toHaveAttribute('data-status', 'streaming');
  await expect(lastAnswer(second).locator('.text')).toBeEmpty();

  await expect(waitNote(second)).toBeHidden({ timeout: 90_000 });
  const waited = Date.now() - waitSeen;
  await expect(lastAnswer(page)).toHaveAttribute('data-status', /done|length/);
  await expect(lastAnswer(second)).toHaveAttribute('data-status', /done|length/, {
    timeout: 90_000,
  });
  await expect(lastAnswer(second).locator('.text')).not.toBeEmpty();
  // Its time to first token is the engine's, not the queue's: less than the wait it sat through.
  expect(waited).toBeGreaterThan(500);
  expect(await timeToFirstTokenMs(second)).toBeLessThan(waited);
});

test('a wait for another tab can be stopped, and a tab closed mid-answer frees the turn', async ({
  page,
  context,
  models,
}) => {
  await openWithModel(page, models.url(MODEL), 400);
  const second = await context.newPage();
  await openWithModel(second, models.url(MODEL), 16);

  await ask(page, 'The first tab');
  await ask(second, 'Stopped while waiting');
  await expect(waitNote(second)).toBeVisible();
  await second.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(lastAnswer(second)).toHaveAttribute('data-status', 'stopped');
  await expect(waitNote(second)).toBeHidden();
  await expect(lastAnswer(second).locator('.text')).toBeEmpty();

  // Asked again, and the first tab is closed in the middle of its answer: its turn goes with it.
  await ask(second, 'The first tab went away');
  await expect(waitNote(second)).toBeVisible();
  await page.close();
  await expect(lastAnswer(second)).toHaveAttribute('data-status', /done|length/, {
    timeout: 90_000,
  });
  await expect(lastAnswer(second).locator('.text')).not.toBeEmpty();
  // The second tab's conversation holds both questions.
  await expect(second.getByRole('article', { name: 'You' }).locator('.text')).toHaveText([
    'Stopped while waiting',
    'The first tab went away',
  ]);
});

/** The last answer's time to first token, as its speed details show it ("45 ms", "1.2 s"). */
async function timeToFirstTokenMs(page: Page): Promise<number> {
  const text = (await lastAnswer(page).getByTestId('ttft').textContent()) ?? '';
  const match = /^([\d.,]+) (ms|s)$/.exec(text.trim());
  expect(match, `time to first token reads "${text}"`).not.toBeNull();
  const value = Number(match?.[1]?.replaceAll(',', ''));
  return match?.[2] === 's' ? value * 1000 : value;
}
