import { describe, expect, it } from 'vitest';
import { figureTable, verdict, type Figure } from './report.ts';

const measured: Figure = {
  item: 6,
  what: 'Decode, raw wllama vs native llama.cpp',
  unit: 'tok/s',
  subject: { median: 88, min: 80, max: 90, runs: 3 },
  baselineName: 'native',
  baseline: { median: 1000, min: 900, max: 1100, runs: 3 },
  ratio: { median: 0.088, min: 0.08, max: 0.1, runs: 3 },
  target: null,
};

describe('figure rows', () => {
  it('say FAIL, with the reason, for a figure whose measurement failed', () => {
    const failed: Figure = {
      ...measured,
      subject: null,
      baseline: null,
      ratio: null,
      failed: 'figure 4: no result within 20.0 min',
    };
    expect(verdict(failed)).toBe('FAIL');
    const row = figureTable([failed]).split('\n')[2] ?? '';
    expect(row).toContain('FAILED: figure 4: no result within 20.0 min');
    expect(row).toMatch(/\| FAIL\s*\|$/);
  });

  it('keep n/a for a figure with nothing to measure, info for one without a target', () => {
    expect(verdict({ ...measured, ratio: null, note: 'n/a: skipped' })).toBe('n/a');
    expect(verdict(measured)).toBe('info');
    expect(verdict({ ...measured, target: { atLeast: 0.98 } })).toBe('MISS');
  });
});
