import type { Request } from '@playwright/test';
import {
  expect,
  expectLoaded,
  loadByUrl,
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
