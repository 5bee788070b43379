/**
 * UI smoothness while streaming (figure 4): long tasks seen by a PerformanceObserver in the page,
 * and the main thread's busy time per token early versus late in a long answer, from a Chrome
 * trace. Tokens reach the main thread as Comlink messages on a MessagePort; the page script below
 * marks each one (`performance.mark`), and the marks land in the trace on the main thread's clock.
 */
import type { BrowserContext, Page } from '@playwright/test';

export const TOKEN_MARK = 'bench:port-message';

/** Trace categories: top-level tasks, what runs inside them, and user-timing marks. */
export const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'blink.user_timing',
];

/**
 * Records every long task (> 50 ms, PerformanceObserver) of each page of `context` from its start
 * in `window.benchLongTasks` (page clock, ms); `longTasksIn` reads them.
 */
export async function recordLongTasks(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const longTasks: LongTask[] = [];
    Object.assign(window, { benchLongTasks: longTasks });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        longTasks.push({ start: entry.startTime, duration: entry.duration });
      }
    }).observe({ type: 'longtask', buffered: true });
  });
}

export interface LongTask {
  start: number;
  duration: number;
}

/** The long tasks `recordLongTasks` saw in `page` so far. */
export const longTasksIn = (page: Page): Promise<LongTask[]> =>
  page.evaluate(() => (window as unknown as { benchLongTasks: LongTask[] }).benchLongTasks);

/** Total blocking time: what each long task ran past 50 ms, summed. */
export const totalBlockingMs = (tasks: readonly LongTask[]) =>
  tasks.reduce((sum, task) => sum + Math.max(0, task.duration - 50), 0);

/**
 * Page-level instrumentation, added only to the smoothness run's browser context (never to the
 * app): records long tasks, and marks every message a MessagePort delivers to a listener.
 */
export async function instrumentMainThread(context: BrowserContext): Promise<void> {
  await recordLongTasks(context);
  await context.addInitScript((mark: string) => {
    const wrapped = new WeakMap<object, EventListener>();
    // The originals are only ever called with `.call(port, …)`.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const add = MessagePort.prototype.addEventListener;
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const remove = MessagePort.prototype.removeEventListener;
    MessagePort.prototype.addEventListener = function (
      this: MessagePort,
      type: string,
      listener: EventListenerOrEventListenerObject | null,
      options?: boolean | AddEventListenerOptions,
    ) {
      if (!listener) return;
      if (type !== 'message' || typeof listener !== 'function') {
        add.call(this, type, listener, options);
        return;
      }
      const marking = function (this: MessagePort, event: Event) {
        performance.mark(mark);
        listener.call(this, event);
      };
      wrapped.set(listener, marking);
      add.call(this, type, marking, options);
    };
    MessagePort.prototype.removeEventListener = function (
      this: MessagePort,
      type: string,
      listener: EventListenerOrEventListenerObject | null,
      options?: boolean | EventListenerOptions,
    ) {
      if (listener) remove.call(this, type, wrapped.get(listener) ?? listener, options);
    };
  }, TOKEN_MARK);
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
}

export interface WindowCost {
  tokens: number;
  /** Main-thread time in top-level tasks per token, ms. */
  msPerToken: number;
  /** Where that time went: inclusive ms per token by trace event name, largest first. */
  breakdown: Record<string, number>;
}

export interface StreamingCost {
  tokens: number;
  early: WindowCost;
  late: WindowCost;
}

const TOP_LEVEL = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);
const DETAIL = new Set([
  'FunctionCall',
  'EventDispatch',
  'TimerFire',
  'FireAnimationFrame',
  'UpdateLayoutTree',
  'Layout',
  'PrePaint',
  'Paint',
  'Layerize',
  'UpdateLayer',
  'MajorGC',
  'MinorGC',
  'V8.GC_SCAVENGER',
  'BlinkGC.AtomicPhase',
  'HitTest',
  'ParseHTML',
  'CommitLoad',
]);

/**
 * Busy time of the main thread per token in the first and the last `windowTokens` tokens of the
 * answer, from a trace (Chrome's JSON trace format). The main thread is the one that holds the
 * token marks.
 *
 * @throws Error when the trace holds fewer than 2 × `windowTokens` token marks.
 */
export function streamingCost(traceJson: string, windowTokens: number): StreamingCost {
  const parsed = JSON.parse(traceJson) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const marks = events.filter((e) => e.name === TOKEN_MARK).sort((a, b) => a.ts - b.ts);
  const first = marks[0];
  if (!first || marks.length < 2 * windowTokens) {
    throw new Error(`only ${marks.length} token marks in the trace; need ${2 * windowTokens}`);
  }
  const onMain = events.filter(
    (e) => e.ph === 'X' && e.pid === first.pid && e.tid === first.tid && e.dur !== undefined,
  );
  const tasks = onMain.filter((e) => TOP_LEVEL.has(e.name));
  const details = onMain.filter((e) => DETAIL.has(e.name));

  const cost = (from: number, to: number, tokens: number): WindowCost => {
    const overlap = (e: TraceEvent) =>
      Math.max(0, Math.min(to, e.ts + (e.dur ?? 0)) - Math.max(from, e.ts)) / 1000;
    const busy = tasks.reduce((sum, e) => sum + overlap(e), 0);
    const byName = new Map<string, number>();
    for (const e of details) byName.set(e.name, (byName.get(e.name) ?? 0) + overlap(e));
    const breakdown = Object.fromEntries(
      [...byName]
        .filter(([, ms]) => ms > 0)
        .sort((a, b) => b[1] - a[1])
        .map(([name, ms]) => [name, round(ms / tokens)]),
    );
    return { tokens, msPerToken: busy / tokens, breakdown };
  };

  // A window runs from one token's mark to the mark just after its last token.
  const at = (i: number) => (marks[i] as TraceEvent).ts;
  const last = marks.length - 1;
  return {
    tokens: marks.length,
    early: cost(at(0), at(windowTokens), windowTokens),
    late: cost(at(last - windowTokens), at(last), windowTokens),
  };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** Long tasks (over 50 ms) the page's PerformanceObserver saw between `from` and `to` (page clock). */
export function longTasksBetween(tasks: LongTask[], from: number, to: number): LongTask[] {
  return tasks.filter((task) => task.start + task.duration >= from && task.start <= to);
}
