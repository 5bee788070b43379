import {
  chooseBackend,
  expect,
  expectLoaded,
  loadByUrl,
  openApp,
  recentAnswers,
  send,
  setSampling,
  test,
} from './support/fixtures.ts';

/** From ../shared/models/README.md: the greedy continuation of "Once upon a time" (64 tokens). */
const EXPECTED =
  ', there was a little girl named Lily. She loved to play outside in the park. One day, she';

for (const backend of ['auto', 'cpu'] as const) {
  const where = backend === 'auto' ? 'WebGPU' : 'CPU';

  test(`greedy completion of stories260K matches the reference on ${where}`, async ({
    page,
    models,
  }) => {
    await openApp(page);
    await chooseBackend(page, backend);
    await loadByUrl(page, models.url('stories260K.gguf'));
    await expectLoaded(page, 'stories260K');
    // The backend that actually ran, as llama.cpp reported it.
    await expect(page.getByTestId('backend')).toContainText(where === 'WebGPU' ? 'WebGPU' : 'CPU');

    // No chat template: the app offers text completion.
    await setSampling(page, { temperature: 0, maxTokens: 64 });
    await expect(page.getByRole('radio', { name: 'Text completion' })).toBeChecked();
    const answer = await send(page, 'Once upon a time');

    await expect(answer).toHaveAttribute('data-status', 'length');
    expect(await answer.locator('.text').innerText()).toMatch(new RegExp(`^${escape(EXPECTED)}`));
    await expect(answer.getByTestId('output-tokens')).toHaveText('64');
    await expect((await recentAnswers(page)).getByRole('row').nth(1)).toContainText(
      where === 'WebGPU' ? 'WebGPU' : 'CPU',
    );

    // What the answer's numbers showed, for the record (README, "Measured here").
    const shown = async (id: string) => (await answer.getByTestId(id).textContent()) ?? '';
    const speed = `prefill ${await shown('prefill-rate')} tok/s, decode ${await shown('decode-rate')} tok/s, first token ${await shown('ttft')}`;
    console.log(`[answer speed] stories260K on ${where}: ${speed}`);
  });
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
