/** The benchmark's figures as a table for the terminal and the README. */
import type { Summary } from '../../src/shared/summary.ts';
import { describeTarget, meets, type Target } from './stats.ts';

export interface Figure {
  /** The issue's item number (1–7). */
  item: number;
  what: string;
  unit: string;
  /** The app (or the subject of the comparison); null where there is nothing to measure. */
  subject: Summary | null;
  baselineName: string;
  baseline: Summary | null;
  /** subject ÷ baseline, paired by run; or the figure itself where there is no baseline. */
  ratio: Summary | null;
  target: Target | null;
  /** Why a figure is missing, or what to keep in mind when reading it. */
  note?: string;
  /** Why its measurement failed (an error, or its time limit): no numbers, a FAIL verdict. */
  failed?: string;
}

export type Verdict = 'PASS' | 'MISS' | 'FAIL' | 'n/a' | 'info';

export function verdict(figure: Figure): Verdict {
  if (figure.failed !== undefined) return 'FAIL';
  if (!figure.ratio) return 'n/a';
  if (!figure.target) return 'info';
  return meets(figure.ratio.median, figure.target) ? 'PASS' : 'MISS';
}

const number = (value: number) => {
  const size = Math.abs(value);
  if (size === 0) return '0';
  if (size >= 100) return value.toFixed(0);
  if (size >= 10) return value.toFixed(1);
  if (size >= 1) return value.toFixed(2);
  return value.toFixed(3);
};

export const formatSummary = (s: Summary | null, unit = '') =>
  s
    ? `${number(s.median)}${unit && ` ${unit}`} (${number(s.min)}–${number(s.max)}, n=${s.runs})`
    : '–';

/** A Markdown table: readable as is in a terminal, and pasted as is into the README. */
export function figureTable(figures: readonly Figure[]): string {
  const header = ['#', 'figure', 'app / subject', 'baseline', 'ratio', 'target', 'result'];
  const rows = figures.map((f) => [
    String(f.item),
    [f.what, f.note, f.failed !== undefined && `FAILED: ${f.failed}`].filter(Boolean).join(' — '),
    formatSummary(f.subject, f.unit),
    f.baseline ? `${f.baselineName}: ${formatSummary(f.baseline, f.unit)}` : f.baselineName,
    formatSummary(f.ratio),
    f.target ? describeTarget(f.target) : '–',
    verdict(f),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((row) => line(row)),
  ].join('\n');
}
