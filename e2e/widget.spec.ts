import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type FrameLocator, type Page } from '@playwright/test';
import { sharedModelsDir } from '../scripts/shared-dir.ts';
import { formatBytes } from '../src/lib/format.ts';
import { startAppServer } from './support/app-server.ts';
import {
  iframePage,
  partitionedLaunch,
  snippetPage,
  startBareStaticServer,
  startHostServer,
  thirdPartyCookiesAllowedProfile,
} from './support/embed-host.ts';
import { answerNumber, expect, libraryRow, openApp, openView, test } from './support/fixtures.ts';

/**
 * The embeddable widget, as sites and visitors use it: a host page on another site (the tests'
 * host server, as `http://localhost:<port>`; the app is on `127.0.0.1`) embeds it with the
 * README's snippet, against the production build. The browser partitions storage by top-level
 * site, as users' Chromium does.
 */
test.use({ launchOptions: partitionedLaunch() });

const MODEL = 'stories260K-chat-q8_0';
const MODEL_BYTES = statSync(join(sharedModelsDir(), `${MODEL}.gguf`)).size;

/** Downloads of the test model so far (the model server is shared by every test of a worker). */
const downloads = (models: { hits: () => Map<string, number> }) =>
  models.hits().get(`/${MODEL}.gguf`) ?? 0;

const widgetIn = (page: Page, selector = 'tab-llm-chat iframe') => page.frameLocator(selector);
const status = (widget: FrameLocator | Page) =>
  widget.getByRole('status', { name: 'Widget status' });

async function startModel(widget: FrameLocator) {
  await widget.getByRole('button', { name: 'Download and start' }).click();
  await expect(status(widget)).toContainText('Ready', { timeout: 90_000 });
}

/** Sends a message in the widget; returns the answer once some of it has streamed. */
async function sendInWidget(widget: FrameLocator, text: string) {
  await widget.getByLabel('Message', { exact: true }).fill(text);
  await widget.getByLabel('Message', { exact: true }).press('Enter');
  const answer = widget.getByRole('article', { name: 'Model' }).last();
  // Streamed: text shows while the answer is still being generated.
  await expect(answer).toHaveAttribute('data-status', 'streaming');
  await expect(answer.locator('.text')).not.toHaveText('', { timeout: 60_000 });
  return answer;
}

/** The host page's own script: what its window hears, and the connection to the widget. */
const HOST_SCRIPT = `
  window.heard = [];
  addEventListener('message', (event) => heard.push(event.origin));
`;

test('a site embeds the widget with the snippet: consent before any download, then a streamed chat with zero requests', async ({
  page,
  context,
  models,
}) => {
  const app = await startAppServer();
  const host = await startHostServer();
  try {
    host.serve(
      '/',
      snippetPage(
        app.origin,
        {
          model: models.url(`${MODEL}.gguf`),
          'model-size': String(MODEL_BYTES),
          'system-prompt': 'You are the shop’s friendly assistant.',
          placeholder: 'Ask the shop',
          theme: 'dark',
        },
        HOST_SCRIPT,
      ),
    );
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    const downloaded = downloads(models);
    await page.goto(`${host.allowed}/`);
    const widget = widgetIn(page);

    // Consent first: name, size, who can read the chat; nothing downloaded meanwhile.
    const consent = widget.getByRole('region', { name: MODEL });
    await expect(consent).toContainText(`Download: ${formatBytes(MODEL_BYTES)}, once.`);
    await expect(consent).toContainText('It runs on your device; this site cannot read this chat.');
    await expect(widget.getByRole('button', { name: 'Not now' })).toBeVisible();
    await expect(widget.getByLabel('Storage')).toContainText('stored for this site only');
    await page.waitForTimeout(1000);
    expect(downloads(models)).toBe(downloaded);
    // Light and dark: the site asked for dark.
    expect(
      await widget.locator('body').evaluate((body) => getComputedStyle(body).colorScheme),
    ).toBe('dark');

    await startModel(widget);
    expect(downloads(models)).toBe(downloaded + 1);
    await expect(widget.getByLabel('Runtime')).toContainText('Runs on WebGPU');
    await expect(widget.getByLabel('Message', { exact: true })).toHaveAttribute(
      'placeholder',
      'Ask the shop',
    );

    // From here on, nothing leaves the browser: not to the app, the model host or the site.
    const sent = {
      browser: requests.length,
      app: app.requests().length,
      host: host.requests().length,
    };
    const modelHits = models.totalHits();

    const first = await sendInWidget(widget, 'My card number is 4242');
    await widget.getByRole('button', { name: 'Stop' }).click();
    await expect(first).toHaveAttribute('data-status', 'stopped');
    await expect(first.getByText('Stopped.')).toBeVisible();
    // The speed line under the answer, as in the app: the worker's own figures.
    await expect(first.locator('.answer-speed summary')).toContainText(/tok\/s .* to first token/);
    expect(await answerNumber(first, 'decode-rate')).toBeGreaterThan(0);

    const second = await sendInWidget(widget, 'Tell me a story');
    await widget.getByRole('button', { name: 'Stop' }).click();
    await expect(second).toHaveAttribute('data-status', 'stopped');
    await expect(widget.getByRole('article', { name: 'You' })).toHaveCount(2);
    await widget.getByRole('button', { name: 'New chat' }).click();
    await expect(widget.getByRole('article')).toHaveCount(0);

    expect(requests.slice(sent.browser)).toEqual([]);
    expect(app.requests().length).toBe(sent.app);
    expect(host.requests().length).toBe(sent.host);
    expect(models.totalHits()).toBe(modelHits);
    // The widget never posted anything to the host page's window.
    expect(await page.evaluate(() => (window as unknown as { heard: string[] }).heard)).toEqual([]);

    // Partitioned: the app, opened on its own, has no copy of what the widget stored here.
    const appPage = await context.newPage();
    await openApp(appPage, app.origin);
    await openView(appPage, 'Models');
    await expect(appPage.getByRole('region', { name: 'Library' })).toBeVisible();
    await expect(libraryRow(appPage, MODEL)).toHaveCount(0);
    await appPage.close();
  } finally {
    await host.close();
    await app.close();
  }
});

test('the launcher layout: a button opens the widget, which opens by itself when it asks the visitor; a site not granted is refused', async ({
  page,
  models,
}) => {
  const host = await startHostServer();
  try {
    const attributes = { model: models.url(`${MODEL}.gguf`), layout: 'launcher', label: 'Ask us' };
    host.serve('/', snippetPage(await appOrigin(page), attributes, HOST_SCRIPT));
    const downloaded = downloads(models);
    await page.goto(`${host.allowed}/`);
    const launcher = page.getByRole('button', { name: 'Ask us' });
    const frame = page.locator('tab-llm-chat iframe');
    const widget = widgetIn(page);
    await expect(launcher).toHaveAttribute('aria-expanded', 'false');
    await expect(frame).toBeHidden();
    await launcher.click();
    await expect(frame).toBeVisible();
    await expect(widget.getByRole('button', { name: 'Download and start' })).toBeVisible();
    await launcher.click();
    await expect(frame).toBeHidden();

    // The site's script asks for a session: the widget asks the visitor, and the panel opens.
    await page.evaluate(() => {
      const w = window as unknown as HostWindow;
      w.answer = (async () => {
        const element = document.querySelector('tab-llm-chat') as HTMLElement & {
          connect: () => Promise<Client>;
        };
        w.client = await element.connect();
        return w.client.LanguageModel.create().then(
          () => 'created',
          (error: unknown) => `${(error as Error).name}:${(error as { kind: string }).kind}`,
        );
      })();
    });
    await expect(launcher).toHaveAttribute('aria-expanded', 'true');
    await expect(frame).toBeVisible();
    const ask = widget.getByRole('alertdialog', { name: `Let ${host.allowed} use this model?` });
    await ask.getByRole('button', { name: 'Don’t allow' }).click();
    expect(await page.evaluate(() => (window as unknown as HostWindow).answer)).toBe(
      'TabLlmError:not-granted',
    );
    // Asked once: the same page's next call is refused without asking again.
    const again = await page.evaluate(() =>
      (window as unknown as HostWindow).client.chat.completions
        .create({ messages: [{ role: 'user', content: 'Hi' }] })
        .then(
          () => 'answered',
          (error: unknown) => `${(error as Error).name}:${(error as { kind: string }).kind}`,
        ),
    );
    expect(again).toBe('TabLlmError:not-granted');
    await expect(widget.getByRole('alertdialog')).toHaveCount(0);
    // Nothing was downloaded for any of it.
    expect(downloads(models)).toBe(downloaded);
  } finally {
    await host.close();
  }
});

/** A third origin's page: it tries every way to talk to the widget frame and records answers. */
const ATTACKER = `<!doctype html><meta charset="utf-8"><title>third party</title><script>
  window.answers = [];
  addEventListener('message', (event) => answers.push('window: ' + JSON.stringify(event.data)));
  window.attack = (forgedOrigin) => {
    const target = (window.opener ?? window.parent).frames[0];
    const hellos = [
      { protocol: 'tab-llm-embed', version: 1, type: 'hello', origin: location.origin },
      { protocol: 'tab-llm-embed', version: 1, type: 'hello', origin: forgedOrigin },
    ];
    for (const hello of hellos) {
      const channel = new MessageChannel();
      channel.port1.onmessage = (event) => answers.push('port: ' + JSON.stringify(event.data));
      target.postMessage(hello, '*', [channel.port2]);
    }
    target.postMessage({ type: 'call', id: 1, method: 'complete',
      params: { messages: [{ role: 'user', content: 'what did the visitor type?' }] } }, '*');
    return target.length;
  };
</script>`;

test('the host cannot read the widget, and another origin’s frame or window gets no answer and changes nothing', async ({
  page,
  models,
}) => {
  const host = await startHostServer();
  try {
    // The plain <iframe> equivalent of the snippet, with a third origin's frame beside it.
    host.serve('/attacker.html', ATTACKER);
    host.serve(
      '/',
      iframePage(
        await appOrigin(page),
        { model: models.url(`${MODEL}.gguf`) },
        `${HOST_SCRIPT}
        const third = document.createElement('iframe');
        third.src = '${host.other}/attacker.html';
        document.body.append(third);`,
      ),
    );
    await page.goto(`${host.allowed}/`);
    const widget = widgetIn(page, '#chat');
    await startModel(widget);
    const answer = await sendInWidget(widget, 'My secret is 1234');
    await widget.getByRole('button', { name: 'Stop' }).click();
    await expect(answer).toHaveAttribute('data-status', 'stopped');

    // The host page's script cannot reach the widget's document.
    const reading = await page.evaluate(() => {
      const frame = document.getElementById('chat') as HTMLIFrameElement;
      let throughWindow: string;
      try {
        throughWindow = frame.contentWindow?.document.body.innerText ?? 'no window';
      } catch (error) {
        throughWindow = (error as Error).name;
      }
      return { contentDocument: frame.contentDocument, throughWindow };
    });
    expect(reading).toEqual({ contentDocument: null, throughWindow: 'SecurityError' });

    // A third origin, as a frame of the page and as a window it opened, tries the handshake
    // (also declaring the host's origin) and a call: no answer, and the widget is unchanged.
    const third = page.frames().find((f) => f.url().startsWith(`${host.other}/attacker`));
    if (!third) throw new Error('the third-party frame did not load');
    expect(
      await third.evaluate(
        (forged) => (window as unknown as Attacker).attack(forged),
        host.allowed,
      ),
    ).toBe(0);
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      page.evaluate((url) => void window.open(url), `${host.other}/attacker.html`),
    ]);
    await popup.waitForLoadState();
    await popup.evaluate((forged) => (window as unknown as Attacker).attack(forged), host.allowed);
    await page.waitForTimeout(2000);
    expect(await third.evaluate(() => (window as unknown as Attacker).answers)).toEqual([]);
    expect(await popup.evaluate(() => (window as unknown as Attacker).answers)).toEqual([]);
    await expect(widget.getByRole('alertdialog')).toHaveCount(0);
    await expect(widget.getByLabel('Site access')).toHaveCount(0);
    await expect(status(widget)).toContainText('Ready');
    await expect(widget.getByRole('article')).toHaveCount(2);

    // The host itself connects; another try of the third origin does not take its place.
    const connected = await page.evaluate(async () => {
      const frame = document.getElementById('chat') as HTMLIFrameElement;
      const client = await (window as unknown as Loader).TabLLM.connect(frame);
      (window as unknown as { client: unknown }).client = client;
      return client.LanguageModel.availability();
    });
    expect(connected).toBe('available');
    await third.evaluate((forged) => (window as unknown as Attacker).attack(forged), host.allowed);
    await page.waitForTimeout(1000);
    expect(
      await page.evaluate(() =>
        (window as unknown as { client: Client }).client.LanguageModel.availability(),
      ),
    ).toBe('available');
    expect(await third.evaluate(() => (window as unknown as Attacker).answers)).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { heard: string[] }).heard)).toEqual([]);
  } finally {
    await host.close();
  }
});

test('a site not allowed to embed it gets no widget: by frame-ancestors, and by the widget’s own check where no header is sent', async ({
  page,
  models,
}) => {
  const host = await startHostServer();
  const bare = await startBareStaticServer();
  try {
    const app = await appOrigin(page);
    const attributes = { model: models.url(`${MODEL}.gguf`) };
    host.serve('/', snippetPage(app, attributes));
    host.serve('/bare', snippetPage(bare.origin, attributes));
    const violations: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('frame-ancestors')) violations.push(message.text());
    });
    const failure = async () =>
      page.evaluate(async () => {
        const element = document.querySelector('tab-llm-chat') as HTMLElement & {
          connect: (o: { timeoutMs: number }) => Promise<unknown>;
        };
        return element.connect({ timeoutMs: 4000 }).then(
          () => 'connected',
          (error: unknown) => (error as { kind: string }).kind,
        );
      });

    // 127.0.0.1:<port> is not in TAB_LLM_EMBED_ORIGINS: the browser refuses to show the page.
    await page.goto(`${host.other}/`);
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    await expect(status(widgetIn(page))).toHaveCount(0);
    expect(page.frames().some((f) => f.url().includes('/widget.html'))).toBe(false);
    expect(await failure()).toBe('unavailable');

    // Served without any header (a static host), the widget page refuses by itself, and
    // starts nothing: no engine, no listener.
    const engineRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('engine.worker')) engineRequests.push(request.url());
    });
    await page.goto(`${host.other}/bare`);
    await expect(widgetIn(page).getByRole('alert')).toHaveText(
      'This chat is not available on this site.',
    );
    expect(await failure()).toBe('unavailable');
    expect(engineRequests).toEqual([]);
    // The same headerless widget in an allowed site renders: the check tells sites apart.
    await page.goto(`${host.allowed}/bare`);
    await expect(widgetIn(page).getByRole('button', { name: 'Download and start' })).toBeVisible();
  } finally {
    await bare.close();
    await host.close();
  }
});

test('host API: streamed chunks equal the non-streamed answer at temperature 0, abort ends a stream, a Prompt-API session, a revoked site refused', async ({
  page,
  context,
  models,
}) => {
  const host = await startHostServer();
  try {
    // A throttled download (about 4 s), so that progress shows between 0 and 1.
    const model = `${models.url(`${MODEL}.gguf`)}?rate=300000`;
    host.serve('/', snippetPage(await appOrigin(page), { model }, HOST_SCRIPT));
    await page.goto(`${host.allowed}/`);
    const widget = widgetIn(page);

    // The site asks for a session before anything is there: the visitor grants, then starts.
    await page.evaluate(() => {
      const w = window as unknown as HostWindow;
      w.progress = [];
      w.session = (async () => {
        const element = document.querySelector('tab-llm-chat') as HTMLElement & {
          connect: () => Promise<Client>;
        };
        w.client = await element.connect();
        return w.client.LanguageModel.create({
          initialPrompts: [{ role: 'system', content: 'You tell short stories.' }],
          monitor: (m) =>
            m.addEventListener('downloadprogress', (e) =>
              w.progress.push((e as Event & { loaded: number }).loaded),
            ),
        });
      })();
    });
    const ask = widget.getByRole('alertdialog', { name: `Let ${host.allowed} use this model?` });
    await expect(ask).toBeVisible();
    await ask.getByRole('button', { name: 'Allow', exact: true }).click();
    await expect(widget.getByRole('region', { name: MODEL })).toContainText(
      `This site’s page asks to start the model (${host.allowed}).`,
    );
    await startModel(widget);
    await page.evaluate(() => (window as unknown as HostWindow).session);
    const progress = await page.evaluate(() => (window as unknown as HostWindow).progress);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(1);
    expect(progress.some((p) => p > 0 && p < 1)).toBe(true);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    await expect(widget.getByLabel('Site access')).toContainText(
      `${host.allowed} may use this model`,
    );

    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    const modelHits = models.totalHits();

    const compared = await page.evaluate(async () => {
      const { client } = window as unknown as HostWindow;
      const params = {
        messages: [{ role: 'user' as const, content: 'Once upon a time' }],
        temperature: 0,
        max_tokens: 24,
      };
      const whole = await client.chat.completions.create(params);
      const arrivals: number[] = [];
      const pieces: string[] = [];
      for await (const chunk of await client.chat.completions.create({ ...params, stream: true })) {
        arrivals.push(performance.now());
        pieces.push(chunk.choices[0].delta.content ?? '');
      }
      return {
        whole: whole.choices[0].message.content,
        finish: whole.choices[0].finish_reason,
        completionTokens: whole.usage.completion_tokens,
        streamed: pieces.join(''),
        chunks: pieces.length,
        spreadMs: (arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0),
      };
    });
    expect(compared.whole.length).toBeGreaterThan(0);
    expect(compared.streamed).toBe(compared.whole);
    expect(compared.finish).toBe('length');
    expect(compared.completionTokens).toBe(24);
    // Chunk by chunk: many pieces, arriving over time, not all at the end.
    expect(compared.chunks).toBeGreaterThan(10);
    expect(compared.spreadMs).toBeGreaterThan(100);

    const aborted = await page.evaluate(async () => {
      const { client } = window as unknown as HostWindow;
      const controller = new AbortController();
      const pieces: string[] = [];
      let ended = 'completed';
      try {
        for await (const chunk of await client.chat.completions.create({
          messages: [{ role: 'user', content: 'Tell me a long story' }],
          max_tokens: 400,
          stream: true,
          signal: controller.signal,
        })) {
          pieces.push(chunk.choices[0].delta.content ?? '');
          if (pieces.length === 3) controller.abort();
        }
      } catch (error) {
        ended = (error as Error).name;
      }
      const after = await client.chat.completions.create({
        messages: [{ role: 'user', content: 'Hi' }],
        max_tokens: 4,
      });
      return { ended, pieces: pieces.length, after: after.choices[0].message.content };
    });
    expect(aborted.ended).toBe('AbortError');
    expect(aborted.pieces).toBeLessThan(10);
    expect(aborted.after.length).toBeGreaterThan(0);

    const prompted = await page.evaluate(async () => {
      const w = window as unknown as HostWindow;
      const session = await w.session;
      const reply = await session.prompt('Tell me about a cat.');
      const pieces: string[] = [];
      const reader = session.promptStreaming('And a dog?').getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) pieces.push(r.value);
      session.destroy();
      return {
        reply,
        pieces: pieces.length,
        availability: await w.client.LanguageModel.availability(),
        contextWindow: session.contextWindow,
      };
    });
    expect(prompted.reply.length).toBeGreaterThan(0);
    expect(prompted.pieces).toBeGreaterThan(1);
    expect(prompted.availability).toBe('available');
    expect(prompted.contextWindow).toBeGreaterThan(0);

    // Zero requests for all of it, anywhere.
    expect(requests).toEqual([]);
    expect(models.totalHits()).toBe(modelHits);

    // The visitor revokes the site in the widget: it is refused, with a typed error.
    await widget.getByLabel('Site access').getByRole('button', { name: 'Revoke' }).click();
    await expect(widget.getByLabel('Site access')).toContainText('may not use this model');
    const refused = await page.evaluate(async () => {
      const { client } = window as unknown as HostWindow;
      const kinds: string[] = [];
      for (const attempt of [
        () => client.chat.completions.create({ messages: [{ role: 'user', content: 'Hi' }] }),
        () => client.LanguageModel.create(),
      ]) {
        kinds.push(
          await attempt().then(
            () => 'answered',
            (error: unknown) => `${(error as Error).name}:${(error as { kind: string }).kind}`,
          ),
        );
      }
      return kinds;
    });
    expect(refused).toEqual(['TabLlmError:revoked', 'TabLlmError:revoked']);
    await expect(widget.getByRole('alertdialog')).toHaveCount(0);
  } finally {
    await host.close();
  }
});

test('storage access refused (third-party cookies blocked, as in Playwright’s browser): the widget says so and the partitioned store downloads and chats', async ({
  page,
  models,
}) => {
  const host = await startHostServer();
  try {
    const app = await appOrigin(page);
    host.serve('/', snippetPage(app, { model: models.url(`${MODEL}.gguf`) }));
    await page.goto(`${host.allowed}/`);
    const widget = widgetIn(page);
    const before = downloads(models);
    // The visitor's click is the user gesture the Storage Access API needs.
    await widget
      .getByRole('button', { name: `Use the models already stored on ${new URL(app).host}` })
      .click();
    await expect(widget.getByRole('note')).toContainText(
      "The browser did not open the app's storage",
    );
    await expect(widget.getByLabel('Storage')).toContainText('stored for this site only');
    await startModel(widget);
    expect(downloads(models)).toBe(before + 1);
    const answer = await sendInWidget(widget, 'Hello');
    await widget.getByRole('button', { name: 'Stop' }).click();
    await expect(answer).toHaveAttribute('data-status', 'stopped');
  } finally {
    await host.close();
  }
});

test('storage access given (a profile that allows third-party cookies): the widget uses the model the app’s origin stored, without a download, and its grant is listed and revoked in the app’s Privacy panel', async ({
  page,
  models,
}) => {
  const host = await startHostServer();
  const profile = thirdPartyCookiesAllowedProfile();
  const context = await chromium.launchPersistentContext(profile, partitionedLaunch());
  try {
    const app = await appOrigin(page);
    const model = models.url(`${MODEL}.gguf`);
    host.serve('/', snippetPage(app, { model }, HOST_SCRIPT));

    // First party: the widget page opened on the app's own origin stores the model there.
    const first = await context.newPage();
    await first.goto(`${app}/widget.html#${new URLSearchParams({ model }).toString()}`);
    await expect(first.getByLabel('Storage')).toContainText('shared with the app');
    await first.getByRole('button', { name: 'Download and start' }).click();
    await expect(status(first)).toContainText('Ready', { timeout: 90_000 });
    await first.close();
    const stored = downloads(models);

    // Third party: the same visitor on a site that embeds the widget.
    const visit = await context.newPage();
    await visit.goto(`${host.allowed}/`);
    const widget = widgetIn(visit);
    await expect(widget.getByLabel('Storage')).toContainText('stored for this site only');
    await expect(widget.getByRole('button', { name: 'Download and start' })).toBeVisible();
    await widget
      .getByRole('button', { name: `Use the models already stored on ${new URL(app).host}` })
      .click();
    await expect(status(widget)).toContainText('Ready', { timeout: 90_000 });
    await expect(widget.getByLabel('Storage')).toContainText(
      `the copies stored on ${new URL(app).host}, shared with the app`,
    );
    expect(downloads(models)).toBe(stored);
    const answer = await sendInWidget(widget, 'Hello');
    await widget.getByRole('button', { name: 'Stop' }).click();
    await expect(answer).toHaveAttribute('data-status', 'stopped');

    // The site asks to use the model: the grant goes to the app's own storage…
    await visit.evaluate(() => {
      const w = window as unknown as HostWindow;
      w.answer = (async () => {
        const element = document.querySelector('tab-llm-chat') as HTMLElement & {
          connect: () => Promise<Client>;
        };
        w.client = await element.connect();
        const reply = await w.client.chat.completions.create({
          messages: [{ role: 'user', content: 'Hi' }],
          max_tokens: 4,
        });
        return reply.choices[0].message.content;
      })();
    });
    await widget
      .getByRole('alertdialog')
      .getByRole('button', { name: 'Allow', exact: true })
      .click();
    expect(
      (await visit.evaluate(() => (window as unknown as HostWindow).answer)).length,
    ).toBeGreaterThan(0);

    // …where the app's Privacy panel lists it, and the visitor revokes it there.
    const appPage = await context.newPage();
    await openApp(appPage, app);
    await openView(appPage, 'Privacy & settings');
    const site = appPage
      .getByRole('list', { name: 'Sites using the model' })
      .getByRole('listitem', { name: host.allowed });
    await expect(site).toContainText('allowed');
    await site.getByRole('button', { name: 'Revoke' }).click();
    await expect(site).toContainText('revoked');
    const refused = await visit.evaluate(async () => {
      const { client } = window as unknown as HostWindow;
      return client.chat.completions
        .create({ messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4 })
        .then(
          () => 'answered',
          (error: unknown) => `${(error as Error).name}:${(error as { kind: string }).kind}`,
        );
    });
    expect(refused).toBe('TabLlmError:revoked');
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    await host.close();
  }
});

test('Document-Isolation-Policy makes the widget cross-origin isolated inside a page that is not; without it, one CPU thread', async ({
  page,
  models,
}) => {
  const host = await startHostServer();
  const bare = await startBareStaticServer();
  try {
    const attributes = { model: models.url(`${MODEL}.gguf`), backend: 'cpu' };
    host.serve('/', snippetPage(await appOrigin(page), attributes));
    host.serve('/bare', snippetPage(bare.origin, attributes));
    const isolation = async () => {
      const frame = page.frames().find((f) => f.url().includes('/widget.html'));
      const worker = page.workers().find((w) => w.url().includes('engine.worker'));
      return {
        host: await page.evaluate(() => crossOriginIsolated),
        widget: await frame?.evaluate(() => [crossOriginIsolated, typeof SharedArrayBuffer]),
        worker: await worker?.evaluate(() => [crossOriginIsolated, typeof SharedArrayBuffer]),
      };
    };

    // With the header (the app's server sends it): isolated, in the frame and its worker.
    await page.goto(`${host.allowed}/`);
    let widget = widgetIn(page);
    await startModel(widget);
    expect(await isolation()).toEqual({
      host: false,
      widget: [true, 'function'],
      worker: [true, 'function'],
    });
    // Isolated, llama.cpp gets the threads wllama gives any isolated page: half the logical
    // cores (on a 2-core machine that is still one; the line then differs only in isolation).
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const threads = Math.max(1, Math.floor(cores / 2));
    const runtime = await widget.getByLabel('Runtime').innerText();
    expect(runtime).toContain(
      `Runs on CPU (${threads} thread${threads === 1 ? '' : 's'}) · cross-origin isolated`,
    );
    console.log(`widget with Document-Isolation-Policy (${cores} logical cores): ${runtime}`);

    // Without it (no headers at all): no SharedArrayBuffer, llama.cpp runs on one thread.
    await page.goto(`${host.allowed}/bare`);
    widget = widgetIn(page);
    await startModel(widget);
    expect(await isolation()).toEqual({
      host: false,
      widget: [false, 'undefined'],
      worker: [false, 'undefined'],
    });
    await expect(widget.getByLabel('Runtime')).toContainText(
      'Runs on CPU (1 thread) · not cross-origin isolated',
    );
    const answer = await sendInWidget(widget, 'Hello');
    await widget.getByRole('button', { name: 'Stop' }).click();
    await expect(answer).toHaveAttribute('data-status', 'stopped');
  } finally {
    await bare.close();
    await host.close();
  }
});

/** The app's origin: the config's base URL (the build under test, served by its webServer). */
async function appOrigin(page: Page): Promise<string> {
  const base = test.info().project.use.baseURL;
  if (!base) throw new Error('no baseURL');
  // Opened once, so that the server has answered before a host page asks it for the loader.
  await page.request.get(`${base}/embed.js`);
  return new URL(base).origin;
}

interface Attacker {
  answers: string[];
  attack: (forgedOrigin: string) => number;
}

/** What the tests use of the loader's client, as a host page's script sees it. */
interface Client {
  chat: {
    completions: {
      create: (params: {
        messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
        stream?: boolean;
        temperature?: number;
        max_tokens?: number;
        signal?: AbortSignal;
      }) => Promise<
        {
          choices: [{ message: { content: string }; finish_reason: string }];
          usage: { completion_tokens: number };
        } & AsyncIterable<{ choices: [{ delta: { content?: string } }] }>
      >;
    };
  };
  LanguageModel: {
    availability: () => Promise<string>;
    create: (options?: {
      initialPrompts?: { role: 'system' | 'user' | 'assistant'; content: string }[];
      monitor?: (m: EventTarget) => void;
    }) => Promise<Session>;
  };
}

interface Session {
  contextWindow: number;
  prompt: (input: string) => Promise<string>;
  promptStreaming: (input: string) => ReadableStream<string>;
  destroy: () => void;
}

interface Loader {
  TabLLM: { connect: (frame: HTMLIFrameElement) => Promise<Client> };
}

interface HostWindow {
  client: Client;
  answer: Promise<string>;
  session: Promise<Session>;
  progress: number[];
}
