import { expect, expectLoaded, loadByUrl, openApp, test } from './support/fixtures.ts';

test('an MLC model with no network ends in "could not download", and the app stays usable', async ({
  page,
  context,
  models,
}) => {
  // No model host is reachable (this machine has no internet; the route makes that certain).
  const attempted: string[] = [];
  await context.route(/huggingface\.co|githubusercontent\.com/, (route) => {
    attempted.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  await openApp(page);
  await page.getByLabel('Filter models').fill('SmolLM2-135M');
  await page.getByRole('button', { name: 'Load SmolLM2-135M-Instruct-q0f32-MLC' }).click();

  const alert = page.getByRole('alert');
  await expect(alert).toContainText(
    'Could not download the model from huggingface.co: the network request failed.',
  );
  await expect(alert).toContainText('Check your connection');
  expect(attempted.some((url) => url.includes('huggingface.co'))).toBe(true);
  await expect(page.getByRole('status')).toHaveText('No model loaded.');
  await expect(page.getByRole('heading', { name: 'On this device' })).toHaveCount(0);

  await page.getByRole('button', { name: 'Dismiss' }).click();
  await loadByUrl(page, models.url('stories260K-chat-q4_0.gguf'));
  await expectLoaded(page, 'stories260K-chat-q4_0');
});
