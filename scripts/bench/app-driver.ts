/**
 * Drives the real app through its UI, as a user would, and times what the user sees. Times are
 * taken inside the page (the triggering click or key press to the DOM change, seen by a
 * MutationObserver), so Playwright's own round trips do not count.
 */
import type { Page } from '@playwright/test';
import { STEP_MS } from './config.ts';

export async function openApp(page: Page, origin: string): Promise<void> {
  await page.goto(origin);
  await page.getByRole('status', { name: 'Loaded model' }).waitFor();
  await page.getByText('Checking what this browser can run').waitFor({ state: 'hidden' });
}

type View = 'Chat' | 'Models' | 'Privacy & settings';

/**
 * Goes to a view by its link in the sidebar (beside the view at the bench's 1280 px wide
 * pages). Never inside a timed step: the timers start at the next click.
 */
export async function showView(page: Page, name: View): Promise<void> {
  const main = page.getByRole('main', { name, exact: true });
  if (await main.isVisible()) return;
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name }).click();
  await main.waitFor();
}

export async function chooseBackend(page: Page, backend: 'auto' | 'cpu'): Promise<void> {
  await showView(page, 'Models');
  await page.getByLabel('GGUF backend').selectOption(backend);
}

/**
 * Turns off reopening the last model when the app opens (on by default), so that a reload
 * leaves the engine idle and a timed load after it is the only work in the page.
 */
export async function keepModelsUnloadedOnStart(page: Page): Promise<void> {
  await showView(page, 'Privacy & settings');
  await page.getByRole('checkbox', { name: /Load the last model when the app opens/ }).uncheck();
}

/** Greedy text completion of up to `maxTokens` tokens (the synthetic models have no chat template). */
export async function setGreedyCompletion(page: Page, maxTokens: number): Promise<void> {
  await showView(page, 'Chat');
  await page.getByRole('radio', { name: 'Text completion' }).check();
  // The settings' <summary> has no ARIA role; its text says what it opens.
  const summary = page.getByText(/^Temperature \S+, up to \d+ tokens$/);
  await summary.click();
  await page.getByLabel(/Temperature/).fill('0');
  await page.getByLabel('Max tokens').fill(String(maxTokens));
  await summary.click();
}

/** The line that names the loaded model (`ModelStatus`): the page's one status role. */
const modelStatus = (page: Page, label: string) =>
  page.getByRole('status').filter({ hasText: label });

type Milestone = 'downloaded' | 'ready' | 'ready-from-storage';

/**
 * Milliseconds from the next click in the page to `milestone`: the download stored and checked
 * (the engine starts loading), or the model status naming `label` as loaded. The page's own DOM
 * is read by ARIA roles: the status, the live region of the load progress, alerts.
 */
async function armTimer(page: Page, milestone: Milestone, label: string): Promise<void> {
  await page.evaluate(
    ({ milestone, label }) => {
      const text = (selector: string) =>
        [...document.querySelectorAll(selector)].map((e) => e.textContent).join('\n');
      const reached = () => {
        const alert = text('[role=alert]');
        if (alert) throw new Error(`the app reported: ${alert}`);
        if (milestone === 'downloaded') return text('[aria-live]').includes('into the engine');
        const status = [...document.querySelectorAll('[role=status]')]
          .map((e) => e.textContent)
          .find((t) => t.includes(label));
        if (status === undefined) return false;
        return milestone === 'ready' || status.includes('loaded from this device');
      };
      const timer = new Promise<number>((resolve, reject) => {
        let clickedAt: number | null = null;
        const observer = new MutationObserver(() => {
          try {
            if (clickedAt !== null && reached()) {
              observer.disconnect();
              resolve(performance.now() - clickedAt);
            }
          } catch (error) {
            observer.disconnect();
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
        document.addEventListener('click', () => (clickedAt = performance.now()), {
          capture: true,
          once: true,
        });
        observer.observe(document.body, {
          subtree: true,
          childList: true,
          characterData: true,
          attributes: true,
        });
      });
      Object.assign(window, { benchTimer: timer });
    },
    { milestone, label },
  );
}

/**
 * Awaits the promise the page keeps as `window[name]`, for at most `STEP_MS`: a page call has no
 * timeout of its own, and an app that never gets there must not hold the bench.
 */
export const awaitInPage = <T>(page: Page, name: string, what: string): Promise<Awaited<T>> =>
  page.evaluate(
    ({ name, what, timeoutMs }) =>
      Promise.race([
        (window as unknown as Record<string, Promise<T>>)[name] as Promise<T>,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`${what}: not within ${timeoutMs} ms`)), timeoutMs),
        ),
      ]),
    { name, what, timeoutMs: STEP_MS },
  );

const readTimer = (page: Page, milestone: Milestone) =>
  awaitInPage<number>(page, 'benchTimer', `the app reaching '${milestone}'`);

/** Loads a GGUF model by URL; resolves with ms to `milestone`. */
export async function loadByUrlTimed(
  page: Page,
  url: string,
  label: string,
  milestone: 'downloaded' | 'ready',
): Promise<number> {
  await showView(page, 'Models');
  await page.getByLabel('Add a GGUF model by URL').fill(url);
  await armTimer(page, milestone, label);
  await page.getByRole('button', { name: 'Load from URL' }).click();
  return readTimer(page, milestone);
}

/**
 * Loads a GGUF file listed by a Hugging Face repo (so its SHA-256 is known and checked); resolves
 * with ms from the file's Load button to `milestone`.
 */
export async function loadFromRepoTimed(
  page: Page,
  repo: string,
  file: string,
  label: string,
  milestone: 'downloaded' | 'ready',
): Promise<number> {
  await showView(page, 'Models');
  await page.getByLabel('Add from a Hugging Face repo').fill(repo);
  await page.getByRole('button', { name: 'List files' }).click();
  const load = page
    .getByRole('list', { name: `GGUF files in ${repo}` })
    .getByRole('button', { name: `Load ${file}` });
  await load.waitFor();
  await armTimer(page, milestone, label);
  await load.click();
  return readTimer(page, milestone);
}

/** Waits until the model status names `label`: a download timed to 'downloaded' has loaded. */
export async function waitUntilLoaded(page: Page, label: string): Promise<void> {
  await modelStatus(page, label).waitFor({ timeout: STEP_MS });
}

/** Loads a model from the library; resolves with ms until it is ready. */
export async function loadStoredTimed(page: Page, label: string): Promise<number> {
  await showView(page, 'Models');
  const button = page
    .getByRole('region', { name: 'Library' })
    .getByRole('button', { name: `Load ${label}`, exact: true });
  await button.waitFor();
  await armTimer(page, 'ready-from-storage', label);
  await button.click();
  return readTimer(page, 'ready-from-storage');
}

export interface AnswerTiming {
  /** Enter pressed to the first text of the answer on screen. */
  firstTokenMs: number;
  /** First text on screen to the last change of the text while it streamed. */
  streamMs: number;
  /** Enter pressed to the answer marked finished. */
  totalMs: number;
  /** What the answer's own numbers showed afterwards (the worker's llama.cpp timings). */
  promptTokens: number;
  outputTokens: number;
  panelPrefillRate: number;
  panelDecodeRate: number;
  /** Window of the run in the page's clock (performance.now()), for matching trace events. */
  sentAt: number;
  doneAt: number;
}

/** Sends `text` and waits for the whole answer; times taken in the page. */
export async function sendTimed(page: Page, text: string): Promise<AnswerTiming> {
  await showView(page, 'Chat');
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.evaluate(() => {
    const answers = () => document.querySelectorAll('article[aria-label="Model"]');
    // The new answer is a new element: counting them fails once a long conversation shows only
    // its latest messages.
    const previous = [...answers()].at(-1) ?? null;
    const timer = new Promise((resolve) => {
      let sentAt: number | null = null;
      let firstAt: number | null = null;
      let lastChangeAt: number | null = null;
      let lastLength = 0;
      const observer = new MutationObserver(() => {
        const now = performance.now();
        const all = answers();
        const answer = all[all.length - 1];
        if (sentAt === null || !answer || answer === previous) return;
        const streaming = answer.getAttribute('data-status') === 'streaming';
        // The answer's text only: its live rate beside it changes every frame too.
        const length = answer.querySelector('.text')?.textContent.length ?? 0;
        if (streaming && length !== lastLength) {
          firstAt ??= now;
          lastChangeAt = now;
          lastLength = length;
        }
        if (!streaming) {
          observer.disconnect();
          resolve({ sentAt, firstAt, lastChangeAt, doneAt: now });
        }
      });
      document.addEventListener(
        'keydown',
        (event) => {
          if (event.key === 'Enter') sentAt = performance.now();
        },
        { capture: true, once: true },
      );
      observer.observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
    });
    Object.assign(window, { benchAnswer: timer });
  });
  await page.keyboard.press('Enter');
  const seen = await awaitInPage<{
    sentAt: number;
    firstAt: number | null;
    lastChangeAt: number | null;
    doneAt: number;
  }>(page, 'benchAnswer', 'the answer finishing');
  const answer = page.getByRole('article', { name: 'Model' }).last();
  const panel = async (id: string) =>
    // textContent: the numbers sit in a folded <details>, whose innerText is empty.
    Number(((await answer.getByTestId(id).textContent()) ?? '').replace(/[^\d.]/g, ''));
  const firstAt = seen.firstAt ?? Number.NaN;
  return {
    firstTokenMs: firstAt - seen.sentAt,
    streamMs: (seen.lastChangeAt ?? Number.NaN) - firstAt,
    totalMs: seen.doneAt - seen.sentAt,
    promptTokens: await panel('prompt-tokens'),
    outputTokens: await panel('output-tokens'),
    panelPrefillRate: await panel('prefill-rate'),
    panelDecodeRate: await panel('decode-rate'),
    sentAt: seen.sentAt,
    doneAt: seen.doneAt,
  };
}
