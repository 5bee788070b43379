import { expect, expectLoaded, loadByUrl, openApp, send, test } from './support/fixtures.ts';

test('loads a GGUF model by URL on WebGPU, chats and shows tokens per second', async ({
  page,
  models,
}) => {
  await openApp(page);
  await expect(page.getByText('shader-f16').locator('xpath=following-sibling::dd[1]')).toHaveText(
    'yes',
  );

  await loadByUrl(page, models.url('stories260K-chat-q8_0.gguf'));
  await expectLoaded(page, 'stories260K');
  await expect(page.getByTestId('backend')).toContainText('WebGPU');

  const answer = await send(page, 'Hello there');
  await expect(answer).toHaveAttribute('data-status', /done|length/);
  expect((await answer.locator('.text').innerText()).trim().length).toBeGreaterThan(0);

  const decode = Number(await page.getByTestId('decode-rate').innerText());
  expect(decode).toBeGreaterThan(0);
});
