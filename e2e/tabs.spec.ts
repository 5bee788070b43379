import type { Page } from '@playwright/test';
import {
  deviceFact,
  expect,
  expectLoaded,
  libraryRow,
  loadByUrl,
  modelStatus,
  openApp,
  openView,
  send,
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

/**
 * Greedy, with prompts whose answers are valid text: sampled at random, a random model now and
 * then picks a byte token that is not valid UTF-8, which llama.cpp cannot pass on (the answer
 * then ends in an error, as it should, and a test that wants it to finish would fail by chance).
 * 400 tokens take about 20 s here.
 */
async function openWithModel(page: Page, url: string, maxTokens: number) {
  await openApp(page);
  await loadByUrl(page, url);
  await expectLoaded(page, NAME);
  await setSampling(page, { maxTokens, mode: 'Text completion', temperature: 0 });
}

test('two tabs answering at once: the second waits with a note, then both finish', async ({
  page,
  context,
  models,
}) => {
  await openWithModel(page, models.url(MODEL), 400);
  const second = await context.newPage();
  await openWithModel(second, models.url(MODEL), 16);

  await ask(page, 'Once upon a time');
  await expect(lastAnswer(page).locator('.text')).not.toBeEmpty();
  await ask(second, 'Hello world');
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

  await ask(page, 'Once upon a time');
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

/** A model of its own for the second tab, smaller than `MODEL`. */
const OWN = 'stories260K-chat-q8_0';

const memoryWarning = (page: Page) =>
  page.getByRole('alert').filter({ has: page.getByRole('button', { name: 'Load anyway' }) });

/**
 * Opens the app in `page` as on a device with `gib` of memory (headless Chromium reports 8 GiB,
 * and the test models are a few MB): its inference worker is started with the app's test seam
 * for that (a name ending in `device-memory-gib=`, see probe-device.ts) and runs as it always
 * does otherwise.
 */
async function openWithDeviceMemory(page: Page, gib: number) {
  await page.addInitScript((gib) => {
    const Original = Worker;
    window.Worker = class extends Original {
      constructor(url: string | URL, options?: WorkerOptions) {
        const seamed =
          options?.name === 'inference'
            ? { ...options, name: `inference device-memory-gib=${gib}` }
            : options;
        super(url, seamed);
      }
    };
  }, gib);
  await openApp(page);
  await openView(page, 'Models');
  await expect(deviceFact(page, 'Memory')).toHaveText(
    `about ${gib} GiB (as the browser reports it)`,
  );
}

/** The models other tabs hold as this page sees them: the held locks that advertise one. */
const advertisedModels = (page: Page) =>
  page.evaluate(async () =>
    ((await navigator.locks.query()).held ?? [])
      .map((lock) => lock.name ?? '')
      .filter((name) => name.startsWith('tab-llm:loaded-model:')),
  );

test.describe('a second tab loading a model', () => {
  test('when memory is short it is warned first: Cancel keeps the tab as it was, Load anyway loads, and with the other tab closed it loads at once', async ({
    page,
    context,
    models,
  }) => {
    // The second tab, on a device of about 1 MB: its own model and a chat, loaded while no
    // other tab holds a model, so without a warning.
    const second = await context.newPage();
    await openWithDeviceMemory(second, 0.001);
    await loadByUrl(second, models.url(`${OWN}.gguf`));
    await expectLoaded(second, OWN);
    await setSampling(second, { maxTokens: 8 });
    await send(second, 'Before the warning');

    // The first tab loads a model: the two together are more than the second tab's device has.
    await openApp(page);
    await loadByUrl(page, models.url(MODEL));
    await expectLoaded(page, NAME);

    await loadByUrl(second, models.url(MODEL));
    const warning = memoryWarning(second);
    await expect(warning).toContainText(
      /Another tab has llama-2-tiny-random loaded \(about [\d.]+ MB\)/,
    );
    await expect(warning).toContainText(
      /Loading llama-2-tiny-random \(about 1\.8 MB\) too needs about [\d.]+ MB, more than this device's 1\.1 MB of memory\./,
    );
    await expect(warning).toContainText('The browser may end a tab to free memory.');
    await expect(modelStatus(second)).toContainText(OWN);

    // Cancel: the second tab's model, chat and library are as they were.
    await warning.getByRole('button', { name: 'Cancel' }).click();
    await expect(warning).toHaveCount(0);
    await expect(modelStatus(second)).toContainText(OWN);
    await expect(libraryRow(second, OWN)).toBeVisible();
    await expect(libraryRow(second, NAME)).toBeVisible();
    await openView(second, 'Chat');
    await expect(second.getByRole('article', { name: 'You' }).locator('.text')).toHaveText([
      'Before the warning',
    ]);
    await expect(second.getByRole('article', { name: 'Model' }).locator('.text')).not.toBeEmpty();

    // Asked again, and loaded anyway.
    await loadByUrl(second, models.url(MODEL));
    await memoryWarning(second).getByRole('button', { name: 'Load anyway' }).click();
    await expectLoaded(second, NAME);
    await expect(memoryWarning(second)).toHaveCount(0);
    await expect(modelStatus(page)).toContainText(NAME);

    // The first tab closed, its model goes with it: the next load needs no warning (the
    // second tab's own model, which that load replaces, does not count).
    await page.close();
    await expect.poll(() => advertisedModels(second)).toHaveLength(1);
    await loadByUrl(second, models.url(`${OWN}.gguf`));
    await expectLoaded(second, OWN);
    await expect(second.getByRole('alert')).toHaveCount(0);
  });

  test("when both fit it loads at once, while it sees the other tab's model", async ({
    page,
    context,
    models,
  }) => {
    await openApp(page);
    await loadByUrl(page, models.url(MODEL));
    await expectLoaded(page, NAME);

    const second = await context.newPage();
    await openApp(second);
    // The first tab's model is advertised to this one (named, with its size).
    expect(await advertisedModels(second)).toEqual([
      expect.stringMatching(/^tab-llm:loaded-model:[^:]+:\d+:llama-2-tiny-random$/),
    ]);
    await loadByUrl(second, models.url(`${OWN}.gguf`));
    await expectLoaded(second, OWN);
    await expect(second.getByRole('alert')).toHaveCount(0);
    await expect(modelStatus(page)).toContainText(NAME);
  });
});

/** The last answer's time to first token, as its speed details show it ("45 ms", "1.2 s"). */
async function timeToFirstTokenMs(page: Page): Promise<number> {
  const text = (await lastAnswer(page).getByTestId('ttft').textContent()) ?? '';
  const match = /^([\d.,]+) (ms|s)$/.exec(text.trim());
  expect(match, `time to first token reads "${text}"`).not.toBeNull();
  const value = Number(match?.[1]?.replaceAll(',', ''));
  return match?.[2] === 's' ? value * 1000 : value;
}
