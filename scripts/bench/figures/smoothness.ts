/**
 * Figure 4, smoothness while streaming long answers in the app (CPU backend). Each repetition
 * streams two: one untraced, for long tasks (> 50 ms, PerformanceObserver; tracing itself slows the
 * main thread), and one traced, for the main thread's busy time per token in the first versus the
 * last tokens (tokens are the messages reaching the main thread, see main-thread.ts).
 */
import type { Browser, Page } from '@playwright/test';
import {
  chooseBackend,
  loadByUrlTimed,
  openApp,
  sendTimed,
  setGreedyCompletion,
} from '../app-driver.ts';
import { withContext } from '../browser.ts';
import {
  LONG_ANSWER_TOKENS,
  MODELS,
  SMOOTHNESS_RUNS,
  SMOOTHNESS_WINDOW,
  STEP_MS,
  log,
  promptFor,
} from '../config.ts';
import type { FigureSpec } from '../figure-runner.ts';
import {
  instrumentMainThread,
  longTasksBetween,
  longTasksIn,
  streamingCost,
  TRACE_CATEGORIES,
  type StreamingCost,
} from '../main-thread.ts';
import { summarize } from '../../../src/shared/summary.ts';
import { pairedRatio } from '../stats.ts';
import { syntheticFileName } from '../synthetic-gguf.ts';
import { withTimeLimit } from '../time-limit.ts';

/** Runs `work` with a Chrome trace of the page; the trace is stopped whatever `work` does. */
async function whileTracing<T>(
  browser: Browser,
  page: Page,
  signal: AbortSignal,
  work: () => Promise<T>,
): Promise<{ result: T; trace: string }> {
  const stop = () =>
    withTimeLimit('stop tracing', STEP_MS, () => browser.stopTracing(), { parent: signal });
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  let result: T;
  try {
    result = await work();
  } catch (error) {
    // A trace left running would refuse the next one (and hold the browser's memory).
    await stop().catch(() => undefined);
    throw error;
  }
  return { result, trace: (await stop()).toString('utf8') };
}

interface SmoothnessRun {
  longTasks: number[];
  outputTokens: number;
  decodeRate: number;
  tracedOutputTokens: number;
  cost: StreamingCost;
}

export const smoothness: FigureSpec = {
  item: 4,
  name: 'figure 4 (smoothness)',
  // Two answers a run, the traced one slower: about 70 s per 1000 tokens here.
  limitMinutes: 3 + SMOOTHNESS_RUNS * 4 * Math.max(1, LONG_ANSWER_TOKENS / 1000),
  measure: (bench, signal) =>
    withContext(bench.browser, signal, async (context) => {
      const { servers } = bench;
      const model = syntheticFileName(MODELS.speed);
      const label = model.replace(/\.gguf$/, '');
      await instrumentMainThread(context);
      const runs: SmoothnessRun[] = [];
      const page = await context.newPage();
      await openApp(page, servers.app);
      await chooseBackend(page, 'cpu');
      await setGreedyCompletion(page, LONG_ANSWER_TOKENS);
      await loadByUrlTimed(page, servers.models.url(model), label, 'ready');
      const longAnswer = async (prompt: string) => {
        // Every answer starts from an empty conversation, so repetitions are alike.
        const newChat = page.getByRole('button', { name: 'New chat' });
        if (await newChat.isEnabled()) await newChat.click();
        return sendTimed(page, prompt);
      };
      for (let i = 0; i < SMOOTHNESS_RUNS; i++) {
        const untraced = await longAnswer(promptFor(i));
        const observed = await longTasksIn(page);
        const longTasks = longTasksBetween(observed, untraced.sentAt, untraced.doneAt).map((t) =>
          Math.round(t.duration),
        );

        const traced = await whileTracing(bench.browser, page, signal, () =>
          longAnswer(promptFor(i + 5)),
        );
        const cost = streamingCost(traced.trace, SMOOTHNESS_WINDOW);
        runs.push({
          longTasks,
          outputTokens: untraced.outputTokens,
          decodeRate: untraced.panelDecodeRate,
          tracedOutputTokens: traced.result.outputTokens,
          cost,
        });
        log(
          `figure 4 run ${i + 1}: ${untraced.outputTokens} tokens at ${untraced.panelDecodeRate} tok/s, ` +
            `${longTasks.length} long tasks (${longTasks.join(', ')} ms); traced: ` +
            `${cost.early.msPerToken.toFixed(2)} → ${cost.late.msPerToken.toFixed(2)} ms/token`,
        );
      }
      const early = runs.map((r) => r.cost.early.msPerToken);
      const late = runs.map((r) => r.cost.late.msPerToken);
      const longTaskCounts = summarize(runs.map((r) => r.longTasks.length));
      const answerTokens = Math.min(...runs.map((r) => r.outputTokens));
      const breakdown = runs[0]?.cost.late.breakdown ?? {};
      return {
        rows: [
          {
            item: 4,
            what: `Long tasks (> 50 ms) while streaming ${answerTokens} tokens (CPU backend)`,
            unit: '',
            subject: longTaskCounts,
            baselineName: '–',
            baseline: null,
            ratio: longTaskCounts,
            target: { atMost: 0 },
          },
          {
            item: 4,
            what: `Main-thread ms per token (traced), last ${SMOOTHNESS_WINDOW} vs first ${SMOOTHNESS_WINDOW} tokens`,
            unit: 'ms',
            subject: summarize(late),
            baselineName: 'first tokens',
            baseline: summarize(early),
            ratio: pairedRatio(late, early),
            target: { atMost: 1.25 },
          },
        ],
        notes: [
          'Main thread per token, last tokens of the first traced answer (inclusive ms by trace event): ' +
            Object.entries(breakdown)
              .slice(0, 6)
              .map(([name, ms]) => `${name} ${ms}`)
              .join(', '),
        ],
        raw: runs,
      };
    }),
};
