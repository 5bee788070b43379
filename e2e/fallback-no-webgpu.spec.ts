import {
  answerNumber,
  deviceFact,
  expect,
  expectLoaded,
  loadByUrl,
  openApp,
  openView,
  send,
  setSampling,
  test,
} from './support/fixtures.ts';

// Runs in stock headless Chromium without --enable-unsafe-webgpu: no WebGPU adapter at all.

test('without WebGPU the app explains it, refuses MLC and runs GGUF on the CPU', async ({
  page,
  models,
}) => {
  await openApp(page);
  await openView(page, 'Models');
  await expect(deviceFact(page, 'WebGPU')).toHaveText('not available');
  await expect(page.getByRole('region', { name: 'This device' })).toContainText(
    'GGUF models still run here on the CPU',
  );

  await page.getByLabel('Filter models').fill('SmolLM2-135M');
  const mlc = page.getByRole('button', { name: 'Load SmolLM2-135M-Instruct-q0f32-MLC' });
  await expect(mlc).toBeDisabled();
  await expect(page.getByRole('listitem').filter({ has: mlc })).toContainText(
    'MLC models need WebGPU',
  );

  await loadByUrl(page, models.url('stories260K-chat-q8_0.gguf'));
  await expectLoaded(page, 'stories260K-chat-q8_0');
  await expect(page.getByTestId('backend')).toContainText('CPU');
  await setSampling(page, { maxTokens: 16 });
  const answer = await send(page, 'Hello');
  expect(await answerNumber(answer, 'decode-rate')).toBeGreaterThan(0);
});
