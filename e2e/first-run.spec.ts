import {
  expect,
  expectLoaded,
  modelStatus,
  openApp,
  send,
  setSampling,
  test,
} from './support/fixtures.ts';

const CATALOG_Q4 = /(SmolLM2-360M-Instruct|Qwen2\.5-0\.5B-Instruct|Llama-3\.2-1B-Instruct) Q4_K_M/;

test('"Start chatting" picks a model for this device, says how big and why, and downloads it; a reload reopens it from storage', async ({
  page,
  context,
  models,
}) => {
  // This machine has no internet: Hugging Face answers from here. Its listing is unavailable (so
  // no hash is known, and the size check remains); a file resolves, as Hugging Face's do, by a
  // redirect to where the bytes are: a small test model on the tests' server.
  const asked: string[] = [];
  const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*' };
  await context.route('https://huggingface.co/**', (route) => {
    const url = route.request().url();
    if (route.request().method() === 'OPTIONS')
      return route.fulfill({ status: 204, headers: cors });
    asked.push(url);
    if (url.includes('/api/')) return route.fulfill({ status: 404, headers: cors, body: '' });
    return route.fulfill({
      status: 302,
      headers: { ...cors, Location: models.url('stories260K-chat-q8_0.gguf') },
    });
  });

  await openApp(page);
  const card = page.getByRole('region', { name: 'Start chatting' });
  await expect(card).toContainText(CATALOG_Q4);
  await expect(card).toContainText(/\d+ MB download/);
  // Why this one: what the device offers (this browser has a WebGPU adapter, in software).
  await expect(card.getByTestId('start-reason')).toContainText(/WebGPU/);
  await expect(card.getByTestId('start-reason')).toContainText(/GB of storage is free/);
  const chosen = CATALOG_Q4.exec(await card.locator('strong').innerText())?.[0] ?? '';
  const file = (chosen.split(' ')[0] ?? '').toLowerCase();

  await card.getByRole('button', { name: 'Start chatting' }).click();
  await expectLoaded(page, chosen);
  await expect(card).toHaveCount(0);
  expect(asked.some((url) => url.toLowerCase().includes(file) && url.includes('/resolve/'))).toBe(
    true,
  );
  await setSampling(page, { maxTokens: 8 });
  const answer = await send(page, 'Hello');
  expect((await answer.locator('.text').innerText()).trim().length).toBeGreaterThan(0);

  // Next visit: the same model, from this browser's storage, and not one request for it.
  asked.length = 0;
  const served = models.totalHits();
  await page.reload();
  await openApp(page, null);
  await expectLoaded(page, chosen);
  await expect(modelStatus(page)).toContainText('loaded from this device');
  expect(asked).toEqual([]);
  expect(models.totalHits()).toBe(served);
});
