import type { Page, Request } from '@playwright/test';
import { startAppServer } from './support/app-server.ts';
import {
  expect,
  expectLoaded,
  loadByUrl,
  modelStatus,
  openApp,
  openView,
  send,
  setSampling,
  test,
} from './support/fixtures.ts';

const MODEL = 'stories260K-chat-q8_0';
const originOf = (url: string) => new URL(url).origin;

test('chatting makes zero network requests, and the privacy panel lists exactly the origins contacted', async ({
  page,
  context,
  models,
}) => {
  // Every request of the page, its dedicated workers and (Chromium) its service worker is
  // reported on the context.
  const requests: string[] = [];
  const log = (request: Request) => {
    if (/^https?:/.test(request.url())) requests.push(request.url());
  };
  context.on('request', log);

  await openApp(page);
  await loadByUrl(page, models.url(`${MODEL}.gguf`));
  await expectLoaded(page, MODEL);
  await setSampling(page, { maxTokens: 24 });
  const served = models.totalHits();

  const beforeChat = requests.length;
  for (const message of ['Hello', 'Tell me about cats', 'And dogs?']) {
    const answer = await send(page, message);
    expect((await answer.locator('.text').innerText()).trim().length).toBeGreaterThan(0);
  }
  expect(requests.slice(beforeChat)).toEqual([]);
  expect(models.totalHits()).toBe(served);

  // The app's origin and the model host, nothing else; and the panel says the same.
  const seen = [...new Set(requests.map(originOf))].sort();
  expect(seen).toEqual([new URL(page.url()).origin, models.origin].sort());
  await openView(page, 'Privacy & settings');
  const panel = page.getByRole('list', { name: 'Contacted this session' }).locator('code');
  await expect(async () => {
    expect((await panel.allInnerTexts()).sort()).toEqual(seen);
  }).toPass({ timeout: 10_000 });
});

/** The requests the privacy panel shows for `origin` (0 when it does not list the origin). */
async function panelCount(page: Page, origin: string): Promise<number> {
  const row = page
    .getByRole('list', { name: 'Contacted this session' })
    .getByRole('listitem')
    .filter({ has: page.locator('code', { hasText: new RegExp(`^${origin}$`) }) });
  if ((await row.count()) === 0) return 0;
  const match = /· (\d+) requests?/.exec(await row.innerText());
  return Number(match?.[1] ?? NaN);
}

/** The service worker's own script and the scripts it imports, as the server logs them. */
const SERVICE_WORKER_SCRIPT = /^GET \/(sw\.js|sw-request-log\.js|workbox-[\w-]+\.js)$/;

test('the panel counts every request the browser sent to the app: page, workers and service worker', async ({
  page,
  context,
  models,
}) => {
  // A server of this test's own: a fresh origin (no service worker yet, nothing cached), and a
  // log of every request that reached it, whichever context of the browser sent it.
  const app = await startAppServer();
  const requested: Request[] = [];
  context.on('request', (request) => {
    if (request.url().startsWith(`${app.origin}/`)) requested.push(request);
  });
  try {
    await openApp(page, app.origin);
    await loadByUrl(page, models.url(`${MODEL}.gguf`));
    await expectLoaded(page, MODEL);
    await setSampling(page, { maxTokens: 8 });
    await send(page, 'Hello');
    // The service worker has installed: its precache is done.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });

    // The panel, the server and the browser's own record agree, once the counts are settled.
    await openView(page, 'Privacy & settings');
    await expect(async () => {
      const received = app.requests().length;
      expect(requested).toHaveLength(received);
      expect(await panelCount(page, app.origin)).toBe(received);
    }).toPass({ timeout: 20_000 });
    // Not only the page's: the service worker's precache and script, the worker's code and wasm.
    const received = app.requests();
    expect(requested.filter((r) => r.serviceWorker() !== null).length).toBeGreaterThan(10);
    expect(received).toEqual(expect.arrayContaining(['GET /sw.js']));
    for (const file of [/^GET \/assets\/wllama-[\w-]+\.wasm$/, /^GET \/assets\/wllama-engine-/]) {
      expect(received.some((r) => file.test(r))).toBe(true);
    }

    // Opened again, installed: the service worker answers every request of the page and its
    // workers from its cache, and nothing of them reaches the server. What does is the browser's
    // own check for a new version of the service worker, which no page sees: the panel says so.
    const before = received.length;
    const requestedBefore = requested.length;
    await page.reload();
    await openApp(page, null);
    // The model opens again by itself, from storage.
    await expectLoaded(page, MODEL);
    await expect(modelStatus(page)).toContainText('loaded from this device');
    await send(page, 'Hello again');
    await openView(page, 'Privacy & settings');
    await expect(
      page.getByText('the browser asked this app’s server whether a new version'),
    ).toBeVisible();
    await expect(async () => {
      expect(await panelCount(page, app.origin)).toBe(0);
      const afterReload = requested.slice(requestedBefore);
      expect(afterReload.length).toBeGreaterThan(5);
      for (const request of afterReload) {
        expect((await request.response())?.fromServiceWorker(), request.url()).toBe(true);
      }
    }).toPass({ timeout: 20_000 });
    const sentSince = app.requests().slice(before);
    expect(sentSince.length).toBeGreaterThan(0);
    expect(sentSince.filter((r) => !SERVICE_WORKER_SCRIPT.test(r))).toEqual([]);
  } finally {
    await app.close();
  }
});

test('the production build enforces its Content-Security-Policy, and the app works under it', async ({
  page,
  models,
}) => {
  const response = await page.goto('/');
  const header = response?.headers()['content-security-policy'] ?? '';
  expect(header).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(header).toContain("frame-ancestors 'self'");
  await expect(page.locator('meta[http-equiv="Content-Security-Policy"]')).toHaveAttribute(
    'content',
    /default-src 'self'; script-src 'self' 'wasm-unsafe-eval';.*connect-src 'self' https:\/\/huggingface\.co/,
  );
  await openApp(page, null);

  // The policy really blocks: a request to another host and an inline script both fail.
  const outcome = await page.evaluate(async () => {
    const violation = new Promise<string>((resolve) => {
      document.addEventListener('securitypolicyviolation', (e) => resolve(e.blockedURI), {
        once: true,
      });
    });
    const fetched = await fetch('https://tracker.example/collect').then(
      () => 'fetched',
      () => 'refused',
    );
    const script = document.createElement('script');
    script.textContent = 'document.body.dataset.inline = "ran"';
    document.body.append(script);
    return { fetched, blocked: await violation, inline: document.body.dataset.inline ?? 'blocked' };
  });
  expect(outcome).toEqual({
    fetched: 'refused',
    blocked: 'https://tracker.example/collect',
    inline: 'blocked',
  });

  // A model URL on a host outside the policy gets a clear message, before any request.
  const served = models.totalHits();
  await loadByUrl(page, models.url(`${MODEL}.gguf`).replace('127.0.0.1', 'localhost'));
  await expect(page.getByRole('alert')).toContainText('does not download from localhost');
  expect(models.totalHits()).toBe(served);

  // Both engines' wasm runs under the policy: llama.cpp loads and answers.
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await loadByUrl(page, models.url(`${MODEL}.gguf`));
  await expectLoaded(page, MODEL);
  await setSampling(page, { maxTokens: 8 });
  const answer = await send(page, 'Hi');
  expect((await answer.locator('.text').innerText()).trim().length).toBeGreaterThan(0);
});
