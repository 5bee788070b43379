import type { Page } from '@playwright/test';
import {
  expect,
  expectLoaded,
  loadByUrl,
  openApp,
  openView,
  send,
  setSampling,
  test,
} from './support/fixtures.ts';

const MODEL = 'stories260K-chat-q8_0.gguf';

/** The text of the shown conversation, message by message. */
const conversation = (page: Page) =>
  page.getByRole('log', { name: 'Conversation' }).locator('article .text').allInnerTexts();

/** Tokens the conversation takes, as the meter reads: "123 / 256 tokens". */
async function contextUsed(page: Page): Promise<{ used: number; size: number }> {
  const text = (await page.getByTestId('context-used').textContent()) ?? '';
  const match = /^([\d,]+) \/ ([\d,]+) tokens$/.exec(text.trim());
  expect(match, `the meter reads "${text}"`).not.toBeNull();
  const number = (s = '') => Number(s.replaceAll(',', ''));
  return { used: number(match?.[1]), size: number(match?.[2]) };
}

test.describe('with the default context', () => {
  test.beforeEach(async ({ page, models }) => {
    await openApp(page);
    await loadByUrl(page, models.url(MODEL));
    await expectLoaded(page, 'stories260K-chat-q8_0');
    await openView(page, 'Chat');
  });

  test('regenerate keeps both answers and switching shows each', async ({ page }) => {
    await setSampling(page, { maxTokens: 24, temperature: 1 });
    const first = await send(page, 'Tell me a story');
    const firstText = await first.locator('.text').innerText();

    await first.getByRole('button', { name: 'Regenerate' }).click();
    const answer = page.getByRole('article', { name: 'Model' }).last();
    await expect(answer).not.toHaveAttribute('data-status', 'streaming', { timeout: 90_000 });
    const versions = answer.getByRole('group', { name: 'Versions of this answer' });
    await expect(versions).toContainText('2/2');
    const secondText = await answer.locator('.text').innerText();

    await versions.getByRole('button', { name: 'Previous version' }).click();
    await expect(versions).toContainText('1/2');
    // innerText on both sides: an answer in two paragraphs has no whitespace between them in textContent.
    await expect(answer.locator('.text')).toHaveText(firstText, { useInnerText: true });
    await versions.getByRole('button', { name: 'Next version' }).click();
    await expect(versions).toContainText('2/2');
    await expect(answer.locator('.text')).toHaveText(secondText, { useInnerText: true });

    // Each answer says which model and settings wrote it, on hover.
    await answer.hover();
    await expect(answer.getByTestId('answer-settings')).toHaveText(
      /stories260K-chat-q8_0 · temperature 1 · max 24 tokens · no system prompt/,
    );
  });

  test('an edit makes a branch and the other branch is still there', async ({ page }) => {
    await setSampling(page, { maxTokens: 12 });
    await send(page, 'Once upon a time');
    await send(page, 'What happened next');
    const before = await conversation(page);

    const question = page.getByRole('article', { name: 'You' }).last();
    await question.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Edit your message').fill('Where did Lily go');
    await page.getByRole('button', { name: 'Send edit' }).click();
    const answer = page.getByRole('article', { name: 'Model' }).last();
    await expect(answer).not.toHaveAttribute('data-status', 'streaming', { timeout: 90_000 });

    const edited = page.getByRole('article', { name: 'You' }).last();
    await expect(edited.locator('.text')).toHaveText('Where did Lily go');
    const versions = edited.getByRole('group', { name: 'Versions of this message' });
    await expect(versions).toContainText('2/2');
    expect((await conversation(page)).slice(0, 2)).toEqual(before.slice(0, 2));

    await versions.getByRole('button', { name: 'Previous version' }).click();
    expect(await conversation(page)).toEqual(before);
  });

  test('the sampling settings reach llama.cpp: top-k 1 is greedy, a seed repeats an answer', async ({
    page,
  }) => {
    const answerText = async (answer: ReturnType<Page['getByRole']>) =>
      answer.locator('.text').innerText();
    const settings = page.locator('.settings details > summary');
    const setField = async (label: string, value: string) => {
      await settings.click();
      await page.getByLabel(label).fill(value);
      await settings.click();
    };

    await setSampling(page, { maxTokens: 24, temperature: 0 });
    const greedy = await answerText(await send(page, 'Tell me a story'));

    // Hot sampling, but only the most likely token allowed: the greedy answer again.
    await page.getByRole('button', { name: 'New chat' }).click();
    await setSampling(page, { temperature: 1.5 });
    await setField('Top-k (GGUF only)', '1');
    expect(await answerText(await send(page, 'Tell me a story'))).toBe(greedy);

    // Hot sampling from the whole distribution: one seed gives one answer, another seed another.
    await page.getByRole('button', { name: 'New chat' }).click();
    await setField('Top-k (GGUF only)', '');
    await setField('Seed', '7');
    const first = await send(page, 'Tell me a story');
    const seven = await answerText(first);
    await first.getByRole('button', { name: 'Regenerate' }).click();
    const again = page.getByRole('article', { name: 'Model' }).last();
    await expect(again.getByRole('group', { name: 'Versions of this answer' })).toContainText(
      '2/2',
    );
    await expect(again).not.toHaveAttribute('data-status', 'streaming', { timeout: 90_000 });
    expect(await answerText(again)).toBe(seven);

    await page.getByRole('button', { name: 'New chat' }).click();
    await setField('Seed', '8');
    // 24 tokens drawn at temperature 1.5 from a whole vocabulary: equal only by a fluke.
    expect(await answerText(await send(page, 'Tell me a story'))).not.toBe(seven);
  });

  test('the system prompt reaches the model: the prompt grows by its tokens', async ({ page }) => {
    await setSampling(page, { maxTokens: 1, temperature: 0 });
    await send(page, 'Hi');
    const without = await contextUsed(page);

    await page.getByRole('button', { name: 'New chat' }).click();
    await page.locator('.settings details > summary').click();
    // 40 words: at least 40 tokens, whatever the vocabulary.
    await page.getByLabel('System prompt (this chat)').fill('Lily '.repeat(40).trim());
    await page.locator('.settings details > summary').click();
    const answer = await send(page, 'Hi');
    const withPrompt = await contextUsed(page);

    expect(withPrompt.used - without.used).toBeGreaterThanOrEqual(40);
    await answer.hover();
    await expect(answer.getByTestId('answer-settings')).toContainText('system prompt “Lily Lily');
  });
});

test('a conversation that outgrows a small context leaves out its oldest turn, and the meter shows it', async ({
  page,
  models,
}) => {
  await openApp(page);
  await openView(page, 'Models');
  await page.getByLabel('Context size (tokens)').selectOption('256');
  await loadByUrl(page, models.url(MODEL));
  await expectLoaded(page, 'stories260K-chat-q8_0');
  await openView(page, 'Chat');
  await setSampling(page, { maxTokens: 32, temperature: 0 });

  const long = 'Once upon a time there was a little girl named Lily who loved to play in the park';
  await send(page, `${long}.`);
  expect((await contextUsed(page)).size).toBe(256);
  await expect(page.locator('[data-left-out]')).toHaveCount(0);
  for (let turn = 2; turn <= 6; turn++) {
    await send(page, `${long} ${String(turn)}.`);
    if ((await page.locator('[data-left-out]').count()) > 0) break;
  }
  const last = page.getByRole('article', { name: 'Model' }).last();
  await expect(last).toHaveAttribute('data-status', /done|length/);
  // The oldest exchange is marked, the meter counts it, and what is used still fits.
  const leftOut = page.locator('[data-left-out]');
  await expect(leftOut.first()).toContainText(`${long}.`);
  await expect(leftOut.first()).toContainText('Left out of the context');
  await expect(
    page.getByRole('status').filter({ hasText: /earlier messages? left out/ }),
  ).toBeVisible();
  const { used, size } = await contextUsed(page);
  expect(used).toBeLessThanOrEqual(size);
  await expect(page.getByRole('meter', { name: 'Context used' })).toHaveAttribute('max', '256');
});
