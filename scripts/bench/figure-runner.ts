/**
 * One figure of the bench, run under its time limit: whatever happens inside (an error, a page
 * that never answers), the bench gets rows back and goes on to the next figure.
 */
import type { Browser } from '@playwright/test';
import type { Machine } from './browser.ts';
import { CLEANUP_GRACE_MS, FIGURE_MINUTES, log } from './config.ts';
import type { Figure } from './report.ts';
import type { Servers } from './servers.ts';
import { withTimeLimit } from './time-limit.ts';

export interface Bench {
  browser: Browser;
  servers: Servers;
  machine: Machine;
}

export interface Measured {
  rows: Figure[];
  /** Lines printed under the table (details of this figure). */
  notes?: string[];
  /** Every run's raw numbers, for the JSON. */
  raw?: unknown;
}

export interface FigureSpec {
  /** The item number (1–7); BENCH_ONLY selects by it. */
  item: number;
  /** Names the figure in the log and in its row when it fails. */
  name: string;
  /** Minutes it may take (about 3× what it takes here); BENCH_FIGURE_MINUTES overrides. */
  limitMinutes: number;
  /**
   * Measures and returns its rows. `signal` aborts at the time limit; browser contexts opened
   * through `withContext` / `withFreshProfile` then close, which ends every wait in them.
   */
  measure: (bench: Bench, signal: AbortSignal) => Promise<Measured>;
}

export interface FigureOutcome extends Measured {
  name: string;
  /** Why it has no numbers where it failed or ran over its limit (not where it was left out). */
  failure: string | null;
  seconds: number;
}

export async function runFigure(
  spec: FigureSpec,
  bench: Bench,
  only: readonly string[] | undefined,
): Promise<FigureOutcome> {
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  const row = (note: Pick<Figure, 'note' | 'failed'>): Figure => ({
    item: spec.item,
    what: spec.name,
    unit: '',
    subject: null,
    baselineName: '–',
    baseline: null,
    ratio: null,
    target: null,
    ...note,
  });
  if (only && !only.includes(String(spec.item))) {
    return {
      name: spec.name,
      rows: [row({ note: 'n/a: not measured (BENCH_ONLY)' })],
      failure: null,
      seconds: 0,
    };
  }
  const limitMs = (FIGURE_MINUTES ?? spec.limitMinutes) * 60_000;
  log(`${spec.name}: starting (time limit ${(limitMs / 60_000).toFixed(1)} min)`);
  try {
    const measured = await withTimeLimit(
      spec.name,
      limitMs,
      (signal) => spec.measure(bench, signal),
      { graceMs: CLEANUP_GRACE_MS },
    );
    log(`${spec.name}: done in ${seconds()} s`);
    return { name: spec.name, ...measured, failure: null, seconds: seconds() };
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    // The row and the log name the figure already.
    const reason = message.replace(`${spec.name}: `, '');
    log(`${spec.name} FAILED after ${seconds()} s: ${reason}`);
    return {
      name: spec.name,
      rows: [row({ failed: reason })],
      failure: reason,
      seconds: seconds(),
    };
  }
}
