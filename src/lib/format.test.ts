import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatMilliseconds,
  formatRate,
} from './format.ts';

describe('format', () => {
  it('formats bytes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(489_472)).toBe('489 KB');
    expect(formatBytes(1_185_376)).toBe('1.2 MB');
    expect(formatBytes(2_480_000_000)).toBe('2.5 GB');
    expect(formatBytes(Number.NaN)).toBe('?');
  });

  it('formats short times in milliseconds, then seconds', () => {
    expect(formatMilliseconds(339.6)).toBe('340 ms');
    expect(formatMilliseconds(1234)).toBe('1.2 s');
    expect(formatMilliseconds(-1)).toBe('?');
  });

  it('formats durations', () => {
    expect(formatDuration(4.4)).toBe('4 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(3900)).toBe('1 h 5 min');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('?');
  });

  it('formats rates', () => {
    expect(formatRate(0.4234)).toBe('0.42');
    expect(formatRate(7.345)).toBe('7.3');
    expect(formatRate(456.7)).toBe('457');
    expect(formatRate(Number.NaN)).toBe('–');
  });

  it('counts with the right plural', () => {
    expect(formatCount(1, 'model')).toBe('1 model');
    expect(formatCount(0, 'chat')).toBe('0 chats');
    expect(formatCount(3, 'chat')).toBe('3 chats');
  });
});
