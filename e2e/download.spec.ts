import {
  deviceFact,
  expect,
  expectLoaded,
  libraryRow,
  loadByUrl,
  modelStatus,
  openApp,
  openView,
  test,
} from './support/fixtures.ts';

// 1.2 MB at 150 KB/s: about 8 s of download to watch.
const SLOW = 'stories260K-chat-f32.gguf?rate=150000';

test('shows what this browser can run where models are chosen, before any download', async ({
  page,
}) => {
  await openApp(page);
  await openView(page, 'Models');
  const fact = (name: string) => deviceFact(page, name);
  await expect(fact('WebGPU')).toHaveText('available');
  await expect(fact('Adapter')).not.toBeEmpty();
  await expect(fact('shader-f16')).toHaveText('yes');
  await expect(fact('Max buffer size')).toHaveText(/^\d+(\.\d)? (MB|GB)$/);
});

test('a download shows bytes, percent, speed and time left', async ({ page, models }) => {
  await openApp(page);
  await loadByUrl(page, models.url(SLOW));
  await expect(
    page.getByRole('progressbar', { name: 'Downloading stories260K-chat-f32' }),
  ).toBeVisible();
  await expect(page.locator('.progress-figures')).toHaveText(
    /^\d+ KB of 1\.2 MB · \d+% · \d+ KB\/s · \d+ s left$/,
  );
  // The top bar says so too, on every view.
  await expect(page.getByRole('progressbar', { name: 'Model download' })).toBeVisible();
  await expectLoaded(page, 'stories260K-chat-f32');
  await expect(page.getByRole('progressbar')).toHaveCount(0);
});

test('Cancel stops a download and leaves the app usable', async ({ page, models }) => {
  await openApp(page);
  await loadByUrl(page, models.url(SLOW));
  await expect(page.locator('.progress-figures')).toHaveText(/\d+%/);
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();

  await expect(page.getByRole('progressbar')).toHaveCount(0);
  await expect(modelStatus(page)).toHaveText('No model loaded.');
  // What was downloaded is kept for a resume (see library.spec.ts), never offered as loadable.
  await expect(libraryRow(page, 'stories260K-chat-f32')).toHaveAttribute('data-status', 'partial');
  await page.getByRole('button', { name: 'Switch model' }).click();
  await expect(page.getByRole('dialog', { name: 'Switch model' })).toContainText(
    'No models on this device yet.',
  );
  await page.keyboard.press('Escape');

  await loadByUrl(page, models.url('stories260K-chat-q8_0.gguf'));
  await expectLoaded(page, 'stories260K-chat-q8_0');
});
