import {
  deviceFact,
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

// Runs in stock Chromium with --enable-unsafe-webgpu: SwiftShader, without shader-f16.

test('without shader-f16, f16 MLC models are refused and GGUF runs on the CPU', async ({
  page,
  models,
}) => {
  await openApp(page);
  await openView(page, 'Models');
  await expect(deviceFact(page, 'WebGPU')).toHaveText('available');
  await expect(deviceFact(page, 'shader-f16')).toHaveText('no');

  await page.getByLabel('Filter models').fill('Qwen2.5-0.5B-Instruct q4');
  const f16 = page.getByRole('button', { name: 'Load Qwen2.5-0.5B-Instruct-q4f16_1-MLC' });
  const f32 = page.getByRole('button', { name: 'Load Qwen2.5-0.5B-Instruct-q4f32_1-MLC' });
  await expect(f16).toBeDisabled();
  await expect(page.getByRole('listitem').filter({ has: f16 })).toContainText(
    'needs 16-bit float shaders (shader-f16)',
  );
  await expect(f32).toBeEnabled();

  // Auto asks llama.cpp for WebGPU; it needs shader-f16, so it runs on the CPU, and we say so.
  await loadByUrl(page, models.url('stories260K-chat-q8_0.gguf'));
  await expectLoaded(page, 'stories260K-chat-q8_0');
  await expect(page.getByTestId('backend')).toContainText('CPU');
  await setSampling(page, { maxTokens: 16 });
  const answer = await send(page, 'Hello');
  expect((await answer.locator('.text').innerText()).trim().length).toBeGreaterThan(0);
  await expect((await recentAnswers(page)).getByRole('row').nth(1)).toContainText('CPU');
});
