/**
 * The README's screenshots, made from the production build as users get it: builds the app into
 * `dist-screenshots/` (with the local model server allowed by its CSP, as the e2e build is),
 * serves it, loads a test model from ../shared/models through a local server, chats, and writes
 * PNGs of the chat in light and dark, at desktop (1280 px) and phone (360 px) width, plus the first
 * run and the models view, into docs/screenshots/; and the embeddable widget in a host page on
 * another site (its consent card, then a chat), in both themes at both widths.
 *
 *   npm run screenshots                    # about 2 minutes here
 *   SCREENSHOTS_SKIP_BUILD=1 npm run screenshots   # reuse dist-screenshots/
 *   SCREENSHOTS_ONLY=widget npm run screenshots    # only the widget's (or =app)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { build } from 'vite';
import { startAppServer } from '../e2e/support/app-server.ts';
import { E2E_EMBED_ORIGINS, E2E_MODEL_HOSTS } from '../e2e/support/e2e-build.ts';
import {
  partitionedLaunch,
  snippetPage,
  startHostServer,
  type HostServer,
} from '../e2e/support/embed-host.ts';
import { startModelServer, type ModelServer } from '../e2e/support/model-server.ts';
import { sharedModelsDir } from './shared-dir.ts';

const OUT_DIR = 'docs/screenshots';
const BUILD_DIR = 'dist-screenshots';
const MODEL = 'stories260K-chat-q8_0';
const TIMEOUT = 120_000;

const sizes = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 360, height: 780 },
] as const;
const themes = ['light', 'dark'] as const;
type Theme = (typeof themes)[number];

async function open(browser: Browser, origin: string, theme: Theme, width: number, height: number) {
  const context = await browser.newContext({
    viewport: { width, height },
    colorScheme: theme,
    deviceScaleFactor: 1,
  });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  const status = page.getByRole('status', { name: 'Loaded model' });
  await status.waitFor();
  await page.getByText('Checking what this browser can run').waitFor({ state: 'hidden' });
  // The service worker's "installed" note floats over the top bar: out of the picture.
  const installed = page.getByRole('button', { name: 'OK' });
  await installed.click({ timeout: 30_000 }).catch(() => undefined);
  return page;
}

/** Short, reproducible answers: greedy, a few sentences. */
async function setSampling(page: Page) {
  const summary = page.getByText(/^Temperature \S+, up to \d+ tokens/);
  await summary.click();
  await page.getByLabel(/Temperature/).fill('0');
  await page.getByLabel('Max tokens').fill('60');
  await summary.click();
}

/** Loads the test model by URL on the models view, then returns to the chat. */
async function loadModel(page: Page, origin: string, models: ModelServer) {
  await page.goto(`${origin}/#/models`);
  await page.getByLabel('Add a GGUF model by URL').fill(models.url(`${MODEL}.gguf`));
  await page.getByRole('button', { name: 'Load from URL' }).click();
  await page.getByRole('status', { name: 'Loaded model' }).filter({ hasText: MODEL }).waitFor();
  await page.goto(`${origin}/#/`);
}

async function send(page: Page, text: string) {
  const before = await page.getByRole('article', { name: 'Model' }).count();
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.keyboard.press('Enter');
  const answer = page.getByRole('article', { name: 'Model' }).nth(before);
  await answer.waitFor();
  // Done once it no longer streams (it may stop at max tokens: any other status).
  await page.waitForFunction((index) => {
    const answers = document.querySelectorAll('article[aria-label="Model"]');
    return answers[index]?.getAttribute('data-status') !== 'streaming';
  }, before);
}

async function shoot(page: Page, file: string) {
  // No pointer hover or caret blink in the picture.
  await page.mouse.move(0, 0);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: join(OUT_DIR, file), animations: 'disabled', caret: 'hide' });
  console.log(`wrote ${join(OUT_DIR, file)}`);
}

/** The widget in a host page of another site, as the README's snippet embeds it. */
async function shootWidget(
  browser: Browser,
  app: string,
  host: HostServer,
  models: ModelServer,
  theme: Theme,
  size: (typeof sizes)[number],
) {
  host.serve(
    `/${theme}`,
    snippetPage(app, {
      model: models.url(`${MODEL}.gguf`),
      'model-name': 'Stories 260K (a test model)',
      'model-size': '280000',
      'system-prompt': 'You tell short stories.',
      placeholder: 'Ask for a story',
      theme,
    }),
  );
  const context = await browser.newContext({
    viewport: { width: size.width, height: size.height },
    colorScheme: theme,
    deviceScaleFactor: 1,
  });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  await page.goto(`${host.allowed}/${theme}`);
  const widget = page.frameLocator('tab-llm-chat iframe');
  const start = widget.getByRole('button', { name: 'Download and start' });
  await start.waitFor();
  await shoot(page, `widget-consent-${size.name}-${theme}.png`);
  await start.click();
  await widget
    .getByRole('status', { name: 'Widget status' })
    .filter({ hasText: 'Ready' })
    .waitFor();
  await widget.getByLabel('Message', { exact: true }).fill('Tell me a story about a cat.');
  await widget.getByLabel('Message', { exact: true }).press('Enter');
  // The widget has no sampling settings: a few seconds of the answer, then Stop.
  await widget
    .getByRole('article', { name: 'Model' })
    .locator('.text')
    .filter({ hasText: /\S/ })
    .waitFor();
  await page.waitForTimeout(3000);
  await widget.getByRole('button', { name: 'Stop' }).click();
  await widget
    .getByRole('article', { name: 'Model' })
    .and(widget.locator('[data-status="stopped"]'))
    .waitFor();
  await shoot(page, `widget-chat-${size.name}-${theme}.png`);
  await context.close();
}

async function main() {
  const only = process.env.SCREENSHOTS_ONLY;
  if (process.env.SCREENSHOTS_SKIP_BUILD !== '1') {
    // The CSP of this build lets it download from the local model server, as the e2e build does,
    // and the host pages on localhost embed its widget.
    process.env.TAB_LLM_MODEL_HOSTS = E2E_MODEL_HOSTS;
    process.env.TAB_LLM_EMBED_ORIGINS = E2E_EMBED_ORIGINS;
    await build({ logLevel: 'warn', build: { outDir: BUILD_DIR, emptyOutDir: true } });
  }
  mkdirSync(OUT_DIR, { recursive: true });
  const app = await startAppServer(BUILD_DIR);
  const models = await startModelServer(sharedModelsDir());
  const host = await startHostServer();
  // Storage partitioned by site, as users' Chromium has it (Playwright turns it off, and its
  // browser then refuses an embedded frame any storage at all).
  const browser = await chromium.launch(partitionedLaunch());
  try {
    if (only !== 'app') {
      for (const theme of themes) {
        for (const size of sizes) await shootWidget(browser, app.origin, host, models, theme, size);
      }
    }
    for (const theme of only === 'widget' ? [] : themes) {
      for (const size of sizes) {
        const page = await open(browser, app.origin, theme, size.width, size.height);
        if (theme === 'light' && size.name === 'desktop') {
          await page.getByRole('button', { name: 'Start chatting' }).waitFor();
          await shoot(page, 'first-run-desktop-light.png');
        }
        await loadModel(page, app.origin, models);
        if (theme === 'light' && size.name === 'desktop') {
          await page.goto(`${app.origin}/#/models`);
          await page.getByRole('heading', { name: 'Library' }).waitFor();
          await shoot(page, 'models-desktop-light.png');
          await page.goto(`${app.origin}/#/`);
        }
        await setSampling(page);
        // Two conversations, so the sidebar has a list; the second stays open.
        await send(page, 'Tell me a story about a cat.');
        await page.getByRole('button', { name: 'New chat' }).click();
        await send(page, 'Once upon a time, a little dog');
        await send(page, 'What happened next?');
        // A second version of the last answer, so its ‹ 2/2 › switch is in the picture.
        await page.getByRole('button', { name: 'Regenerate' }).last().click();
        await page
          .getByRole('group', { name: 'Versions of this answer' })
          .getByText('2/2')
          .waitFor();
        await page.waitForFunction(
          () =>
            document
              .querySelector('article[aria-label="Model"]:last-of-type')
              ?.getAttribute('data-status') !== 'streaming',
        );
        await shoot(page, `chat-${size.name}-${theme}.png`);
        await page.context().close();
      }
    }
  } finally {
    await browser.close();
    await host.close();
    await models.close();
    await app.close();
  }
}

await main();
