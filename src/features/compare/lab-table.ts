import { errorMessage } from '../../lib/error-messages.ts';
import { formatBackend } from '../../lib/format.ts';
import { measuredBytes } from '../../shared/loaded-model-lock.ts';
import type { Summary } from '../../shared/summary.ts';
import type { LabRow, LabRun, SpeedResult } from './lab-types.ts';

/**
 * The results table, defined once: the page, the CSV and the Markdown export all show these
 * columns with these texts, so an export always equals what the page showed. Each column also
 * has a raw value to sort by (null sorts last).
 */
export interface LabColumn {
  key: string;
  header: string;
  /** Numbers sort as numbers; null when the row has no value. */
  value: (row: LabRow) => number | string | null;
  text: (row: LabRow) => string;
  /** Numeric columns align right. */
  numeric: boolean;
}

const DASH = '–';
const MB = 1_000_000;

const fixed = (digits: number) => (value: number | null) =>
  value === null || !Number.isFinite(value) ? DASH : value.toFixed(digits);

const rangeText = (summary: Summary) =>
  summary.runs > 1
    ? `${summary.median.toFixed(1)} (${summary.min.toFixed(1)}–${summary.max.toFixed(1)})`
    : summary.median.toFixed(1);

/** Weights, KV cache and compute buffers together; null when the engine reported none. */
const memoryBytes = ({ memory }: LabRow): number | null => (memory ? measuredBytes(memory) : null);

function numberColumn(
  key: string,
  header: string,
  value: (row: LabRow) => number | null,
  format: (value: number | null) => string,
): LabColumn {
  return { key, header, value, text: (row) => format(value(row)), numeric: true };
}

/** Speed columns per backend the run measured, in the run's order. */
function speedColumns(run: LabRun): LabColumn[] {
  const backends = run.settings.backends;
  return backends.flatMap((backend, index) => {
    const speed = (row: LabRow): SpeedResult | undefined => row.speeds[index];
    const where = backends.length > 1 ? (backend === 'cpu' ? ' · CPU' : ' · WebGPU') : '';
    const column = (kind: 'prefill' | 'decode', label: string): LabColumn => ({
      key: `${kind}-${index}`,
      header: `${label} tok/s${where}`,
      value: (row) => speed(row)?.[kind].median ?? null,
      text: (row) => {
        const result = speed(row);
        return result ? rangeText(result[kind]) : DASH;
      },
      numeric: true,
    });
    return [column('prefill', 'Prefill'), column('decode', 'Decode')];
  });
}

export function labColumns(run: LabRun): LabColumn[] {
  return [
    {
      key: 'variant',
      header: 'Variant',
      value: (row) => row.variant.label,
      text: (row) => row.variant.label,
      numeric: false,
    },
    numberColumn(
      'size',
      'Size (MB)',
      (row) => (row.sizeBytes === null ? null : row.sizeBytes / MB),
      fixed(1),
    ),
    numberColumn('bpw', 'Bits/weight', (row) => row.bitsPerWeight, fixed(2)),
    numberColumn(
      'load',
      'Load (s)',
      (row) => (row.loadMs === null ? null : row.loadMs / 1000),
      fixed(2),
    ),
    numberColumn(
      'memory',
      'Memory (MB)',
      (row) => {
        const bytes = memoryBytes(row);
        return bytes === null ? null : bytes / MB;
      },
      fixed(1),
    ),
    ...speedColumns(run),
    numberColumn('ppl', 'Perplexity', (row) => row.perplexity, fixed(3)),
    numberColumn('kld', 'KLD', (row) => row.quality?.kld.mean ?? null, fixed(5)),
    numberColumn(
      'same-top',
      'Same top (%)',
      (row) => (row.quality ? row.quality.sameTop * 100 : null),
      fixed(1),
    ),
    numberColumn(
      'rms-dp',
      'RMS Δp (%)',
      (row) => (row.quality ? row.quality.deltaP.rms * 100 : null),
      fixed(2),
    ),
    {
      key: 'backend',
      header: 'Ran on',
      value: ranOn,
      text: (row) => ranOn(row) ?? DASH,
      numeric: false,
    },
    {
      key: 'note',
      header: 'Note',
      value: (row) => noteOf(row),
      text: (row) => noteOf(row) ?? '',
      numeric: false,
    },
  ];
}

/** The backends that actually ran, in the run's order (llama.cpp's word, not the one asked for). */
const ranOn = (row: LabRow): string | null =>
  row.speeds.length > 0
    ? row.speeds.map((speed) => formatBackend(speed.backend)).join(' / ')
    : null;

function noteOf(row: LabRow): string | null {
  if (row.status === 'failed') {
    return `Failed: ${row.error ? errorMessage(row.error).title : 'unknown error'}`;
  }
  if (row.status === 'cancelled') return 'Cancelled';
  return row.qualityNote;
}

/** The table as text: a header row and one row per variant. */
export function labTable(run: LabRun): string[][] {
  const columns = labColumns(run);
  return [columns.map((c) => c.header), ...run.rows.map((row) => columns.map((c) => c.text(row)))];
}

const csvCell = (text: string) =>
  /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;

/** RFC 4180 CSV of the table, as shown on the page. */
export const labCsv = (run: LabRun): string =>
  labTable(run)
    .map((cells) => cells.map(csvCell).join(','))
    .join('\r\n') + '\r\n';

const markdownCell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** A Markdown table of the results, as shown on the page. */
export function labMarkdown(run: LabRun): string {
  const [header = [], ...rows] = labTable(run);
  const line = (cells: string[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}
