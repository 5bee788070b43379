import {
  expect,
  expectLoaded,
  libraryList,
  loadByUrl,
  modelStatus,
  openApp,
  openView,
  send,
  setSampling,
  test,
} from './support/fixtures.ts';

const GOOD = 'stories260K-chat-q8_0.gguf';

const badInputs = [
  { name: 'GGUF version 1', file: 'bad/stories260K-gguf-v1.gguf', says: /format version 1/ },
  {
    name: 'a truncated file',
    file: 'bad/stories260K-truncated.gguf',
    says: /cut short.*600 KB.*1\.2 MB/,
  },
  {
    name: 'a URL that answers 404',
    file: 'no-such-model.gguf',
    says: /answered 404 \(not found\)/,
  },
  { name: 'a file that is not GGUF', file: 'README.md', says: /not a GGUF model/ },
];

for (const bad of badInputs) {
  test(`${bad.name} ends in a clear message and the app stays usable`, async ({ page, models }) => {
    await openApp(page);
    // A loaded model and a conversation that must survive the failure.
    await loadByUrl(page, models.url(GOOD));
    await expectLoaded(page, 'stories260K-chat-q8_0');
    await setSampling(page, { maxTokens: 8 });
    await send(page, 'Before the failure');

    await loadByUrl(page, models.url(bad.file));
    const alert = page.getByRole('alert');
    await expect(alert).toContainText(bad.says);
    await expect(alert.locator('p').nth(1)).not.toBeEmpty(); // what to do next

    // The previous model is still loaded and the chat is intact; the bad file was not stored.
    await expect(modelStatus(page)).toContainText('stories260K-chat-q8_0');
    await expect(libraryList(page).getByRole('listitem')).toHaveCount(1);
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await expect(page.getByRole('alert')).toHaveCount(0);
    await openView(page, 'Chat');
    await expect(page.getByRole('article', { name: 'You' })).toHaveText(/Before the failure/);
    const answer = await send(page, 'After the failure');
    expect((await answer.locator('.text').innerText()).trim().length).toBeGreaterThan(0);
    await expect(page.getByRole('article', { name: 'You' })).toHaveCount(2);
  });
}

test('a dropped network ends in a clear message, and a model loads afterwards', async ({
  page,
  context,
  models,
}) => {
  await openApp(page);
  await context.route(`${models.origin}/**`, (route) => route.abort('internetdisconnected'));
  await loadByUrl(page, models.url('stories260K-chat-f16.gguf'));
  await expect(page.getByRole('alert')).toContainText('the network request failed');
  await expect(modelStatus(page)).toHaveText('No model loaded.');

  await context.unrouteAll();
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await loadByUrl(page, models.url('stories260K-chat-f16.gguf'));
  await expectLoaded(page, 'stories260K-chat-f16');
});

test('a prompt longer than the context window ends in a clear message', async ({
  page,
  models,
}) => {
  await openApp(page);
  await loadByUrl(page, models.url(GOOD));
  await expectLoaded(page, 'stories260K-chat-q8_0');
  const context = Number(/context (\d+) tokens/.exec(await modelStatus(page).innerText())?.[1]);
  await setSampling(page, { maxTokens: 8 });

  const tooLong = Array.from({ length: context + 100 }, (_, i) => `word${i}`).join(' ');
  const answer = await send(page, tooLong);
  await expect(answer).toHaveAttribute('data-status', 'error');
  await expect(answer.getByRole('alert')).toContainText(`context window (${context} tokens)`);
  await expect(answer.getByRole('alert')).toContainText('Start a new chat');

  // The model is still loaded; a new chat works.
  await page.getByRole('button', { name: 'New chat' }).click();
  const next = await send(page, 'Hello');
  expect((await next.locator('.text').innerText()).trim().length).toBeGreaterThan(0);
});

test('an answer that turns into bytes that are not valid text ends with a clear message, and the model answers again', async ({
  page,
  models,
}) => {
  // Random weights, greedy: for this prompt the first token is a byte that is not valid UTF-8
  // on its own, which llama.cpp cannot put in its reply (wllama then reads back a broken one).
  await openApp(page);
  await loadByUrl(page, models.url('llama-2-tiny-random.gguf'));
  await expectLoaded(page, 'llama-2-tiny-random');
  await setSampling(page, { maxTokens: 16, mode: 'Text completion', temperature: 0 });
  const broken = await send(page, 'The first tab');
  await expect(broken).toHaveAttribute('data-status', 'error');
  await expect(broken).toContainText(
    'The model failed while answering: the model produced bytes that are not valid text (UTF-8)',
  );
  await expect(broken).not.toContainText('Stack trace');

  const next = await send(page, 'Hello world');
  await expect(next).toHaveAttribute('data-status', /done|length/);
  expect((await next.locator('.text').innerText()).trim().length).toBeGreaterThan(0);
});
