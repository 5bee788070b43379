import type { Page, TestInfo } from '@playwright/test';
import {
  expect,
  expectLoaded,
  loadByUrl,
  modelStatus,
  openApp,
  openView,
  recentAnswers,
  send,
  setSampling,
  storedPreferences,
  test,
  view,
  type ViewName,
} from './support/fixtures.ts';

const MODEL = 'stories260K-chat-q8_0';

/** Whether the document itself scrolls, down or sideways (only the conversation should). */
const pageOverflow = (page: Page) =>
  page.evaluate(() => ({
    down: document.documentElement.scrollHeight > innerHeight,
    sideways: document.documentElement.scrollWidth > innerWidth,
  }));

/** A screenshot kept with the test's results (test-results/, and the HTML report). */
const attach = async (page: Page, testInfo: TestInfo, name: string) => {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
};

for (const size of [
  { width: 360, height: 740 },
  { width: 1280, height: 720 },
]) {
  test(`at ${size.width} px the composer and the model switcher stay in view, and no view is wider than the screen`, async ({
    page,
    models,
  }, testInfo) => {
    await page.setViewportSize(size);
    await openApp(page);
    await loadByUrl(page, models.url(`${MODEL}.gguf`));
    await expectLoaded(page, MODEL);
    await setSampling(page, { maxTokens: 300 });
    await send(page, 'Tell me a story');
    await send(page, 'And then?');

    // The conversation is longer than the screen; it scrolls inside, the page does not.
    const log = page.getByRole('log', { name: 'Conversation' });
    expect(await log.evaluate((e) => e.scrollHeight > e.clientHeight)).toBe(true);
    expect(await pageOverflow(page)).toEqual({ down: false, sideways: false });
    for (const control of [
      page.getByLabel('Message', { exact: true }),
      page.getByRole('button', { name: 'Send' }),
      page.getByRole('button', { name: 'Switch model' }),
      page.getByRole('button', { name: 'New chat' }),
    ]) {
      await expect(control).toBeInViewport({ ratio: 1 });
    }
    await expect(modelStatus(page)).toBeInViewport();
    await expect(modelStatus(page)).toContainText(MODEL);
    await attach(page, testInfo, `chat-${size.width}`);

    for (const name of ['Models', 'Compare', 'Privacy & settings'] as ViewName[]) {
      await openView(page, name);
      expect((await pageOverflow(page)).sideways, `${name} fits ${size.width} px`).toBe(false);
      await expect(page.getByRole('button', { name: 'Switch model' })).toBeInViewport();
      await attach(page, testInfo, `${name.split(' ')[0]?.toLowerCase() ?? name}-${size.width}`);
    }
    // Long labels wrap or shrink instead of running out of their panel.
    await openView(page, 'Models');
    for (const field of [
      page.getByLabel('GGUF backend'),
      page.getByLabel('Add from a Hugging Face repo'),
    ]) {
      const box = await field.boundingBox();
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(size.width);
    }

    // The table of recent answers scrolls inside the sidebar instead of widening it.
    await openView(page, 'Chat');
    if (size.width < 900) await page.getByRole('button', { name: 'Sidebar' }).click();
    await expect(await recentAnswers(page)).toBeVisible();
    const sidebar = page.getByRole('complementary', { name: 'Sidebar' });
    expect(await sidebar.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
    await attach(page, testInfo, `sidebar-${size.width}`);
  });
}

test('on a phone the sidebar is a drawer: closed at first, over the view when open, gone on Esc or a choice', async ({
  page,
}) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await openApp(page);
  const sidebar = page.getByRole('complementary', { name: 'Sidebar' });
  const toggle = page.getByRole('button', { name: 'Sidebar' });
  await expect(sidebar).toBeHidden();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  await expect(sidebar).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(sidebar).toBeHidden();
  await expect(toggle).toBeFocused();
  await toggle.click();
  await page
    .getByRole('navigation', { name: 'Views' })
    .getByRole('link', { name: 'Models' })
    .click();
  await expect(view(page, 'Models')).toBeVisible();
  await expect(sidebar).toBeHidden();

  // On a wide screen it sits beside the view, open, and the toggle folds it away.
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(sidebar).toBeVisible();
  await toggle.click();
  await expect(sidebar).toBeHidden();
  await expect(view(page, 'Models')).toBeVisible();
});

/** WCAG contrast ratio of two CSS colours as getComputedStyle gives them (`rgb(…)`). */
const contrastIn = (page: Page, pairs: [string, string][]) =>
  page.evaluate((pairs) => {
    const luminance = (css: string) => {
      const [r, g, b] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
      const channel = (v = 0) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const style = (selector: string) => {
      const element = document.querySelector(selector);
      if (!element) throw new Error(`nothing matches ${selector}`);
      return getComputedStyle(element);
    };
    /** The colour behind an element: its own background, or the nearest ancestor's. */
    const background = (selector: string) => {
      for (let e = document.querySelector(selector); e; e = e.parentElement) {
        const colour = getComputedStyle(e).backgroundColor;
        if (!/rgba\(.*, 0\)$|transparent/.test(colour)) return colour;
      }
      return 'rgb(255, 255, 255)';
    };
    return pairs.map(([label, selector]) => {
      const [a, b] = [luminance(style(selector).color), luminance(background(selector))];
      return {
        label,
        ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
        bg: luminance(background(selector)),
      };
    });
  }, pairs);

const READABLE: [string, string][] = [
  ['text', 'main .empty'],
  ['muted text in the sidebar', '.sidebar .hint'],
  ['model facts in the top bar', '.model-status'],
  ['a link', '.view-links a:not([aria-current])'],
  ['the switch button', '.switcher-button'],
  ['the composer', '#message'],
];

test('dark mode follows the system, the toggle pins a theme that is kept, and both are readable', async ({
  page,
}, testInfo) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await openApp(page);
  const toggle = page.getByRole('button', { name: 'Dark theme' });
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  const dark = await contrastIn(page, READABLE);
  for (const { label, ratio } of dark)
    expect(ratio, `${label} in the dark theme`).toBeGreaterThanOrEqual(4.5);
  expect(dark[0]?.bg).toBeLessThan(0.05);
  await attach(page, testInfo, 'dark-1280');

  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  const light = await contrastIn(page, READABLE);
  for (const { label, ratio } of light)
    expect(ratio, `${label} in the light theme`).toBeGreaterThanOrEqual(4.5);
  expect(light[0]?.bg).toBeGreaterThan(0.8);
  await attach(page, testInfo, 'light-pinned-1280');

  // Kept: a reload under a dark system stays light; "Same as the system" follows it again.
  await expect.poll(async () => (await storedPreferences(page))?.theme).toBe('light');
  await page.reload();
  await openApp(page, null);
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await openView(page, 'Privacy & settings');
  await expect(page.getByLabel('Theme', { exact: true })).toHaveValue('light');
  await page.getByLabel('Theme', { exact: true }).selectOption('system');
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /./);
});

test('every view has an address of its own; links, back and unknown addresses behave', async ({
  page,
}) => {
  await openApp(page, '');
  await page.goto('/#/models');
  await expect(view(page, 'Models')).toBeVisible();
  await expect(page.getByRole('region', { name: 'This device' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Library' })).toBeVisible();
  await expect(page).toHaveTitle('Models · Tab LLM');
  await page.goto('/#/compare');
  await expect(view(page, 'Compare')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Compare quantizations' })).toBeVisible();
  await page.goto('/#/privacy');
  await expect(view(page, 'Privacy & settings')).toBeVisible();
  for (const region of ['Settings', 'This device', 'Privacy']) {
    await expect(page.getByRole('region', { name: region, exact: true })).toBeVisible();
  }
  await page.goto('/#/no-such-view');
  await expect(view(page, 'Chat')).toBeVisible();

  const nav = page.getByRole('navigation', { name: 'Views' });
  await nav.getByRole('link', { name: 'Models' }).click();
  await expect(nav.getByRole('link', { name: 'Models' })).toHaveAttribute('aria-current', 'page');
  await nav.getByRole('link', { name: 'Compare' }).click();
  await page.goBack();
  await expect(view(page, 'Models')).toBeVisible();
  await page.goBack();
  await expect(view(page, 'Chat')).toBeVisible();
});

test('the model switcher switches between stored models without leaving the chat', async ({
  page,
  models,
}) => {
  await openApp(page);
  await loadByUrl(page, models.url(`${MODEL}.gguf`));
  await expectLoaded(page, MODEL);
  await loadByUrl(page, models.url('stories260K-chat-q4_0.gguf'));
  await expectLoaded(page, 'stories260K-chat-q4_0');
  await setSampling(page, { maxTokens: 8 });
  await send(page, 'Hello');

  const button = page.getByRole('button', { name: 'Switch model' });
  const menu = page.getByRole('dialog', { name: 'Switch model' });
  await button.click();
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  const stored = menu.getByRole('list', { name: 'Models on this device' });
  await expect(stored.getByRole('listitem')).toHaveCount(2);
  await expect(
    menu.getByRole('button', { name: 'Switch to stories260K-chat-q4_0' }),
  ).toBeDisabled();
  // Esc closes the menu (and nothing else), back on its button.
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(button).toBeFocused();

  await button.click();
  await menu.getByRole('button', { name: `Switch to ${MODEL}` }).click();
  await expect(menu).toBeHidden();
  await expectLoaded(page, MODEL);
  await expect(modelStatus(page)).toContainText('loaded from this device');
  await expect(view(page, 'Chat')).toBeVisible();
  await expect(page.getByRole('article')).toHaveCount(2);
  const next = await send(page, 'Hello again');
  expect((await next.locator('.text').innerText()).trim().length).toBeGreaterThan(0);

  // And the way to every other model.
  await button.click();
  await menu.getByRole('link', { name: 'Browse and add models' }).click();
  await expect(view(page, 'Models')).toBeVisible();
  await expect(menu).toBeHidden();
});
