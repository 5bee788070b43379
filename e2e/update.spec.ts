import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAppServer } from './support/app-server.ts';
import { expect, openApp, openView, test } from './support/fixtures.ts';

test('the app is installable, and a new version waits for the user instead of mixing in', async ({
  page,
}) => {
  // A copy of the build that this test can turn into "the next version".
  const outDir = await mkdtemp(join(tmpdir(), 'tab-llm-build-'));
  await cp('dist', outDir, { recursive: true });
  const app = await startAppServer(outDir);
  try {
    const manifest = (await (
      await page.request.get(`${app.origin}/manifest.webmanifest`)
    ).json()) as {
      name: string;
      display: string;
      icons: { sizes: string }[];
    };
    expect(manifest.display).toBe('standalone');
    expect(manifest.icons.map((icon) => icon.sizes)).toEqual(
      expect.arrayContaining(['192x192', '512x512']),
    );

    await openApp(page, app.origin);
    await openView(page, 'Privacy & settings');
    await expect(
      page.getByText('Installed in this browser: the app opens and runs without a network.'),
    ).toBeVisible();
    await page.reload(); // the service worker controls the page from now on
    await openApp(page, null);

    // A new deployment: its service worker differs by a byte.
    await appendFile(join(outDir, 'sw.js'), '\n// next version\n');
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration?.update();
    });
    await expect(page.getByText('A new version of Tab LLM is available.')).toBeVisible();
    // It waits: the page still runs the version it started with.
    expect(
      await page.evaluate(async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        return registration?.waiting?.state;
      }),
    ).toBe('installed');

    await page.getByRole('button', { name: 'Reload to update' }).click();
    await expect(page.getByText('A new version of Tab LLM is available.')).toBeHidden();
    await openApp(page, null);
    await expect
      .poll(() =>
        page.evaluate(async () => {
          const registration = await navigator.serviceWorker.getRegistration();
          return registration?.waiting === null && navigator.serviceWorker.controller !== null;
        }),
      )
      .toBe(true);
  } finally {
    await app.close();
    await rm(outDir, { recursive: true, force: true });
  }
});
