/**
 * Figure 7, long use, in three parts, each in a browser context of its own:
 * 1. Opening with many stored chats: 500 conversations, one of 300 messages, put into the page
 *    through the app's own "Import chats" (a file written by the app's own export function, so
 *    the records are the ones the app stores, checked by the app as it checks any import). The
 *    longest main-thread task and the total blocking time (long tasks, PerformanceObserver) while
 *    the app opens with the chat list shown, and while the long conversation is opened from the
 *    sidebar until it is painted; against the app opening with no chats and a 4-message chat
 *    opened the same way.
 * 2. Page memory over many answers (CPU backend, short greedy answers in one conversation): the
 *    page's and the workers' JavaScript heaps after a forced GC, every few answers.
 * 3. GPU memory over model switches (WebGPU): two stored models switched from the top bar's
 *    model switcher, as a user does; the GPU process's resident set and the workers' heaps after
 *    each switch (see memory.ts for why RSS is the GPU memory here).
 */
import type { BrowserContext, Page } from '@playwright/test';
import { summarize } from '../../../src/shared/summary.ts';
import {
  awaitInPage,
  chooseBackend,
  loadByUrlTimed,
  openApp,
  sendTimed,
  setGreedyCompletion,
  showView,
} from '../app-driver.ts';
import { withContext } from '../browser.ts';
import { LONG_USE, MODELS, RUNS, log, promptFor } from '../config.ts';
import type { Bench, FigureSpec, Measured } from '../figure-runner.ts';
import {
  longTasksBetween,
  longTasksIn,
  recordLongTasks,
  totalBlockingMs,
  type LongTask,
} from '../main-thread.ts';
import { mb, memoryProbe, type HeapSample, type WorkerHeap } from '../memory.ts';
import type { Figure } from '../report.ts';
import { storedChats, type ChatFacts } from '../stored-chats.ts';
import { syntheticFileName } from '../synthetic-gguf.ts';

/** How long after a view is on screen its long tasks still count (effects, late renders). */
const SETTLE_MS = 1000;

const labelOf = (file: string) => file.replace(/\.gguf$/, '');

/**
 * What the page should show once it has opened: the chat list with the latest chat first (or
 * none), and how many messages of it.
 */
interface Expected {
  latestTitle: string | null;
  messages: number;
}

/**
 * Page script: `window.benchShown` resolves with the page-clock time at which the app first shows
 * the expected chat list and conversation, with the engine's device check done. The expectation
 * is read from sessionStorage, which the bench sets before each reload.
 */
async function watchOpening(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const expected = JSON.parse(sessionStorage.getItem('benchExpected') ?? 'null') as {
      latestTitle: string | null;
      messages: number;
    } | null;
    if (!expected) return;
    const shown = () => {
      const first = document.querySelector('ul[aria-label="Saved chats"] > li button');
      const none = [...document.querySelectorAll('.history p')].some(
        (p) => p.textContent === 'No saved chats yet.',
      );
      const messages = document.querySelectorAll('[aria-label="Conversation"] article').length;
      const status = document.querySelector('[role=status][aria-label="Loaded model"]');
      const checked = status !== null && !status.textContent.includes('Checking what');
      return (
        (expected.latestTitle === null ? none : first?.textContent === expected.latestTitle) &&
        messages === expected.messages &&
        checked
      );
    };
    Object.assign(window, {
      benchShown: new Promise<number>((resolve) => {
        const observer = new MutationObserver(() => {
          if (!shown()) return;
          observer.disconnect();
          resolve(performance.now());
        });
        observer.observe(document, { childList: true, subtree: true, characterData: true });
      }),
    });
  });
}

interface Blocking {
  /** Page clock: the app's document started (0) or the click, and the view painted. */
  shownMs: number;
  longest: number;
  totalBlocking: number;
  longTasks: LongTask[];
  /** Chats the list shows once the app opened (it may show the most recent ones only). */
  listed?: number;
}

const blocking = (tasks: LongTask[], shownMs: number): Blocking => ({
  shownMs,
  longest: Math.max(0, ...tasks.map((t) => t.duration)),
  totalBlocking: totalBlockingMs(tasks),
  longTasks: tasks.map((t) => ({ start: Math.round(t.start), duration: Math.round(t.duration) })),
});

/** Reloads the app and measures its opening until it shows `expected`. */
async function openMeasured(page: Page, expected: Expected): Promise<Blocking> {
  await page.evaluate((e) => sessionStorage.setItem('benchExpected', JSON.stringify(e)), expected);
  await page.reload();
  const shownAt = await awaitInPage<number>(page, 'benchShown', 'the app opening');
  await page.waitForTimeout(SETTLE_MS);
  const tasks = longTasksBetween(await longTasksIn(page), 0, shownAt + SETTLE_MS);
  return blocking(tasks, shownAt);
}

/**
 * Opens a stored chat from the sidebar; measures from the click to the conversation painted: the
 * chat marked current in the list and its last message at the end of the conversation.
 */
async function openChatMeasured(page: Page, chat: ChatFacts): Promise<Opened> {
  const { title, lastText } = chat;
  await page.evaluate(
    ({ title, lastText }) => {
      const articles = () => document.querySelectorAll('[aria-label="Conversation"] article');
      const opened = () =>
        document.querySelector('ul[aria-label="Saved chats"] li[aria-current="true"] button')
          ?.textContent === title &&
        ([...articles()].at(-1)?.querySelector('.text')?.textContent.startsWith(lastText) ?? false);
      const timer = new Promise((resolve) => {
        let clickedAt: number | null = null;
        const observer = new MutationObserver(() => {
          if (clickedAt === null || !opened()) return;
          observer.disconnect();
          const start = clickedAt;
          // Painted: the frame after the change, and the task after that frame.
          const rendered = articles().length;
          requestAnimationFrame(() =>
            setTimeout(
              () => resolve({ clickedAt: start, paintedAt: performance.now(), rendered }),
              0,
            ),
          );
        });
        document.addEventListener('click', () => (clickedAt = performance.now()), {
          capture: true,
          once: true,
        });
        observer.observe(document.body, { childList: true, subtree: true, attributes: true });
      });
      Object.assign(window, { benchOpened: timer });
    },
    { title, lastText },
  );
  await page
    .getByRole('list', { name: 'Saved chats' })
    .getByRole('button', { name: title, exact: true })
    .click();
  const { clickedAt, paintedAt, rendered } = await awaitInPage<{
    clickedAt: number;
    paintedAt: number;
    rendered: number;
  }>(page, 'benchOpened', `the chat "${title}" opening`);
  await page.waitForTimeout(SETTLE_MS);
  const tasks = longTasksBetween(await longTasksIn(page), clickedAt, paintedAt + SETTLE_MS);
  return { ...blocking(tasks, paintedAt - clickedAt), rendered };
}

interface Opened extends Blocking {
  /** Messages on screen once it opened (the app may show only the latest ones). */
  rendered: number;
}

interface OpeningRun {
  emptyApp: Blocking;
  appWithChats: Blocking;
  shortChat: Opened;
  longChat: Opened;
}

async function measureOpening({ browser, servers }: Bench, signal: AbortSignal) {
  return withContext(browser, signal, async (context) => {
    await recordLongTasks(context);
    await watchOpening(context);
    const seeded = storedChats({
      chats: LONG_USE.chats,
      longMessages: LONG_USE.longMessages,
      // Not the latest (the app opens that one), but among the first the list shows.
      longRank: 20,
      now: Date.now(),
    });
    const page = await context.newPage();
    await page.goto(servers.app);
    await showView(page, 'Chat');
    const empty: Blocking[] = [];
    for (let i = 0; i < RUNS; i++) {
      empty.push(await openMeasured(page, { latestTitle: null, messages: 0 }));
    }

    // The app's own import path: the file is checked and stored in one transaction.
    const imported = Date.now();
    await page.getByLabel('Import chats').setInputFiles({
      name: 'tab-llm-chats.json',
      mimeType: 'application/json',
      buffer: Buffer.from(seeded.json),
    });
    await page.getByText(`Imported ${LONG_USE.chats} chats.`).waitFor();
    const importMs = Date.now() - imported;
    log(
      `figure 7: imported ${LONG_USE.chats} chats (${mb(seeded.json.length).toFixed(1)} MB) in ${importMs} ms`,
    );

    const runs: OpeningRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      const appWithChats = await openMeasured(page, {
        latestTitle: seeded.latest.title,
        messages: seeded.latest.messages,
      });
      appWithChats.listed = await page
        .getByRole('list', { name: 'Saved chats' })
        .getByRole('listitem')
        .count();
      const shortChat = await openChatMeasured(page, seeded.second);
      const longChat = await openChatMeasured(page, seeded.long);
      runs.push({ emptyApp: empty[i] as Blocking, appWithChats, shortChat, longChat });
      log(
        `figure 7 opening run ${i + 1}: app ${appWithChats.longest.toFixed(0)} ms longest task ` +
          `(no chats: ${empty[i]?.longest.toFixed(0)}), long chat ${longChat.longest.toFixed(0)} ms ` +
          `longest, painted after ${longChat.shownMs.toFixed(0)} ms (4-message chat: ` +
          `${shortChat.longest.toFixed(0)} ms, ${shortChat.shownMs.toFixed(0)} ms)`,
      );
    }
    return { runs, importMs, fileBytes: seeded.json.length, longChars: seeded.long.chars };
  });
}

interface MemorySample {
  /** Answers given, or model switches made, when it was taken. */
  after: number;
  page: HeapSample;
  workers: WorkerHeap[];
  /** The GPU process's resident set, bytes (null where the browser reports none). */
  gpuProcessRss: number | null;
  /** Characters of the conversation's text so far (questions and answers), as stored. */
  textChars?: number;
  /** ms the switch took, from its click to the model's name in the status. */
  switchMs?: number;
}

const workersUsed = (s: MemorySample) => s.workers.reduce((sum, w) => sum + w.used, 0);
const workersBacking = (s: MemorySample) => s.workers.reduce((sum, w) => sum + w.backing, 0);
/** The page's JavaScript heap and its DOM (Blink's heap), after a GC. */
const pageHeap = (s: MemorySample) => s.page.used + s.page.embedder;

/** Least-squares slope of `y` over `x`: growth per answer or per switch. */
function slope(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / n;
  const mx = mean(x);
  const my = mean(y);
  let num = 0;
  let den = 0;
  x.forEach((xi, i) => {
    num += (xi - mx) * ((y[i] as number) - my);
    den += (xi - mx) ** 2;
  });
  return den === 0 ? 0 : num / den;
}

async function sampleMemory(
  probe: Awaited<ReturnType<typeof memoryProbe>>,
  after: number,
): Promise<MemorySample> {
  // Workers first: what they free may let the page free what pointed at it, and the GPU process
  // frees a buffer only once the worker's GC dropped the object that owned it.
  const workers = await probe.workers();
  const page = await probe.page();
  const gpu = await probe.gpuProcess();
  return { after, page, workers, gpuProcessRss: gpu?.rss ?? null };
}

async function measureAnswers({ browser, servers }: Bench, signal: AbortSignal) {
  return withContext(browser, signal, async (context) => {
    const model = syntheticFileName(MODELS.speed);
    const page = await context.newPage();
    await openApp(page, servers.app);
    await chooseBackend(page, 'cpu');
    await setGreedyCompletion(page, LONG_USE.answerTokens);
    await loadByUrlTimed(page, servers.models.url(model), labelOf(model), 'ready');
    await showView(page, 'Chat');
    const probe = await memoryProbe(browser, context, page);
    const lastAnswerChars = async () =>
      (
        (await page
          .getByRole('article', { name: 'Model' })
          .last()
          .locator('.text')
          .textContent()) ?? ''
      ).length;
    let textChars = 0;
    const samples: MemorySample[] = [];
    const take = async (after: number) => {
      const s = { ...(await sampleMemory(probe, after)), textChars };
      samples.push(s);
      log(
        `figure 7 after ${after} answers: page ${mb(pageHeap(s)).toFixed(2)} MB, workers ` +
          `${mb(workersUsed(s)).toFixed(2)} MB (+${mb(workersBacking(s)).toFixed(1)} MB buffers)`,
      );
    };
    try {
      await take(0);
      for (let i = 1; i <= LONG_USE.answers; i++) {
        await sendTimed(page, promptFor(i));
        textChars += promptFor(i).length + (await lastAnswerChars());
        if (i % LONG_USE.sampleEvery === 0 || i === LONG_USE.answers) await take(i);
      }
      // What the page keeps once the conversation is off screen (it stays stored and listed).
      await page.getByRole('button', { name: 'New chat' }).click();
      const afterNewChat = await sampleMemory(probe, LONG_USE.answers);
      return { model, samples, afterNewChat };
    } finally {
      await probe.close();
    }
  });
}

async function measureSwitches({ browser, servers }: Bench, signal: AbortSignal) {
  return withContext(browser, signal, async (context) => {
    const files = [syntheticFileName(MODELS.speed), syntheticFileName(MODELS.start)];
    const page = await context.newPage();
    await openApp(page, servers.app);
    await chooseBackend(page, 'auto');
    // Both stored by their first load; the second stays loaded.
    for (const file of files) {
      await loadByUrlTimed(page, servers.models.url(file), labelOf(file), 'ready');
    }
    await showView(page, 'Chat');
    const backend = await page.getByTestId('backend').textContent();
    const probe = await memoryProbe(browser, context, page);
    const samples: MemorySample[] = [];
    try {
      samples.push(await sampleMemory(probe, 0));
      for (let i = 1; i <= LONG_USE.switches; i++) {
        const label = labelOf(files[(i - 1) % 2] as string);
        const started = Date.now();
        await page.getByRole('button', { name: 'Switch model' }).click();
        await page
          .getByRole('dialog', { name: 'Switch model' })
          .getByRole('button', { name: `Switch to ${label}` })
          .click();
        await page
          .getByRole('status', { name: 'Loaded model' })
          .filter({ hasText: label })
          .waitFor();
        const switchMs = Date.now() - started;
        const s = { ...(await sampleMemory(probe, i)), switchMs };
        samples.push(s);
        log(
          `figure 7 switch ${i} to ${label} (${switchMs} ms): GPU process ` +
            `${mb(s.gpuProcessRss ?? Number.NaN).toFixed(1)} MB, workers ${mb(workersUsed(s)).toFixed(2)} MB ` +
            `(+${mb(workersBacking(s)).toFixed(1)} MB buffers)`,
        );
      }
    } finally {
      await probe.close();
    }
    return { models: files, backend, samples };
  });
}

const ms = (values: number[]) => summarize(values);
const one = (value: number) => summarize([value]);

/** A row of one measured series: the last sample against the first. */
function growthRow(what: string, first: number, last: number, unit = 'MB'): Figure {
  return {
    item: 7,
    what,
    unit,
    subject: one(last),
    baselineName: 'first',
    baseline: one(first),
    ratio: one(last / first),
    target: null,
  };
}

export const longUse: FigureSpec = {
  item: 7,
  name: 'figure 7 (long use)',
  // About 4 minutes here, most of it answers and model loads.
  limitMinutes: 6 + RUNS + (LONG_USE.answers + LONG_USE.switches * 3) / 10,
  async measure(bench, signal): Promise<Measured> {
    const opening = await measureOpening(bench, signal);
    const answers = await measureAnswers(bench, signal);
    const switches = await measureSwitches(bench, signal);

    const { runs } = opening;
    const pick = (f: (r: OpeningRun) => number) => runs.map(f);
    const blockingRow = (
      what: string,
      subject: number[],
      baselineName: string,
      baseline: number[],
    ): Figure => ({
      item: 7,
      what,
      unit: 'ms',
      subject: ms(subject),
      baselineName,
      baseline: ms(baseline),
      // The figure itself: a baseline without long tasks (0 ms) has no ratio.
      ratio: ms(subject),
      target: null,
    });
    const chats = `${LONG_USE.chats} stored chats`;
    const long = `${LONG_USE.longMessages}-message`;

    const a = answers.samples;
    const aFirst = a[0] as MemorySample;
    const aLast = a.at(-1) as MemorySample;
    const answersDone = aLast.after;
    // From the first sample after answers on: the first answer also loads code and fills caches once.
    const steady = a.filter((s) => s.after >= LONG_USE.sampleEvery);
    const perAnswer = (f: (s: MemorySample) => number) =>
      slope(
        steady.map((s) => s.after),
        steady.map(f),
      );
    const textPerAnswer = perAnswer((s) => s.textChars ?? 0);

    const w = switches.samples;
    const wFirst = w[0] as MemorySample;
    const wLast = w.at(-1) as MemorySample;
    const gpu = w.map((s) => s.gpuProcessRss ?? Number.NaN);
    const perSwitch = (f: (s: MemorySample) => number) =>
      slope(
        w.map((s) => s.after),
        w.map(f),
      );
    const kb = (bytes: number) => `${(bytes / 1e3).toFixed(1)} kB`;

    const rows: Figure[] = [
      blockingRow(
        `Longest main-thread task while the app opens with ${chats} (list and latest chat shown)`,
        pick((r) => r.appWithChats.longest),
        'no chats',
        pick((r) => r.emptyApp.longest),
      ),
      blockingRow(
        `Total blocking time of that opening`,
        pick((r) => r.appWithChats.totalBlocking),
        'no chats',
        pick((r) => r.emptyApp.totalBlocking),
      ),
      blockingRow(
        `Longest main-thread task opening the ${long} conversation from the sidebar, until painted`,
        pick((r) => r.longChat.longest),
        '4-message chat',
        pick((r) => r.shortChat.longest),
      ),
      blockingRow(
        `Total blocking time of that opening`,
        pick((r) => r.longChat.totalBlocking),
        '4-message chat',
        pick((r) => r.shortChat.totalBlocking),
      ),
      {
        ...growthRow(
          `Page heap (JS + DOM, after GC) after ${answersDone} answers vs before (CPU, ${LONG_USE.answerTokens}-token answers)`,
          mb(pageHeap(aFirst)),
          mb(pageHeap(aLast)),
        ),
        baselineName: '0 answers',
        note: `${kb(perAnswer(pageHeap))} per answer; the conversation's text grows ${textPerAnswer.toFixed(0)} characters per answer`,
      },
      {
        ...growthRow(
          `Page heap (JS + DOM, after GC) once "New chat" took those ${answersDone} answers off screen vs before`,
          mb(pageHeap(aFirst)),
          mb(pageHeap(answers.afterNewChat)),
        ),
        baselineName: '0 answers',
        note: `the conversation stays stored and listed (${aLast.textChars ?? 0} characters of text)`,
      },
      {
        ...growthRow(
          `Worker heaps (engine + wllama, JS after GC) after ${answersDone} answers vs before`,
          mb(workersUsed(aFirst)),
          mb(workersUsed(aLast)),
        ),
        baselineName: '0 answers',
        note: `${kb(perAnswer(workersUsed))} per answer; their buffers (wasm memory) ${mb(workersBacking(aFirst)).toFixed(1)} → ${mb(workersBacking(aLast)).toFixed(1)} MB`,
      },
      {
        ...growthRow(
          `GPU process RSS after ${wLast.after} model switches vs after the first load (${switches.backend ?? 'WebGPU'})`,
          mb(wFirst.gpuProcessRss ?? Number.NaN),
          mb(wLast.gpuProcessRss ?? Number.NaN),
        ),
        baselineName: 'before switching',
        note: `max ${mb(Math.max(...gpu)).toFixed(1)} MB; ${(perSwitch((s) => s.gpuProcessRss ?? Number.NaN) / 1e6).toFixed(2)} MB per switch; WebGPU runs on lavapipe inside the GPU process here, so its RSS is the GPU memory`,
      },
      {
        ...growthRow(
          `Worker heaps (JS after GC) after ${wLast.after} model switches vs before`,
          mb(workersUsed(wFirst)),
          mb(workersUsed(wLast)),
        ),
        baselineName: 'before switching',
        note: `max ${mb(Math.max(...w.map(workersUsed))).toFixed(2)} MB; ${kb(perSwitch(workersUsed))} per switch; buffers ${mb(workersBacking(wFirst)).toFixed(1)} → ${mb(workersBacking(wLast)).toFixed(1)} MB`,
      },
    ];
    const median = (values: number[]) => ms(values).median.toFixed(0);
    return {
      rows,
      notes: [
        `Figure 7: ${chats} (${(opening.fileBytes / 1e6).toFixed(1)} MB export, imported through the app in ` +
          `${opening.importMs} ms); the app lists ${median(pick((r) => r.appWithChats.listed ?? Number.NaN))} of them ${median(pick((r) => r.appWithChats.shownMs))} ms after ` +
          `navigation (no chats: ${median(pick((r) => r.emptyApp.shownMs))} ms); the ${long} conversation ` +
          `(${opening.longChars} characters) is painted ${median(pick((r) => r.longChat.shownMs))} ms after ` +
          `the click, with ${median(pick((r) => r.longChat.rendered))} of its messages on screen ` +
          `(4-message chat: ${median(pick((r) => r.shortChat.shownMs))} ms). Model switches ` +
          `between ${switches.models.join(' and ')}: median ${median(w.slice(1).map((s) => s.switchMs ?? Number.NaN))} ms each.`,
      ],
      raw: { opening, answers, switches },
    };
  },
};
