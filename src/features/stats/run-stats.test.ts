import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../lib/run-log.ts';
import { runStats } from './run-stats.ts';

const run = (over: Partial<RunRecord>): RunRecord => ({
  id: 1,
  modelName: 'm',
  engine: 'gguf',
  backend: { kind: 'cpu', threads: 1 },
  sentAt: 1000,
  firstTokenAt: null,
  lastTokenAt: null,
  tokensReceived: 0,
  samples: [],
  endedAt: null,
  outcome: null,
  measurements: null,
  ...over,
});

describe('runStats', () => {
  it('derives rates from engine timings and the time to first token from UI timestamps', () => {
    const stats = runStats(
      run({
        firstTokenAt: 1250,
        lastTokenAt: 3250,
        tokensReceived: 41,
        endedAt: 3300,
        outcome: 'stop',
        measurements: { promptTokens: 100, outputTokens: 40, prefillMs: 200, decodeMs: 2000 },
      }),
    );
    expect(stats.prefillTokensPerSecond).toBe(500);
    expect(stats.decodeTokensPerSecond).toBe(20);
    expect(stats.timeToFirstTokenMs).toBe(250);
    expect(stats.promptTokens).toBe(100);
    expect(stats.outputTokens).toBe(40);
    expect(stats.liveDecodeTokensPerSecond).toBe(20); // 40 intervals in 2 s
  });

  it('shows a live rate while streaming, before the engine reports', () => {
    const stats = runStats(run({ firstTokenAt: 1100, lastTokenAt: 1600, tokensReceived: 11 }));
    expect(stats.liveDecodeTokensPerSecond).toBe(20);
    expect(stats.decodeTokensPerSecond).toBeNull();
    expect(stats.outputTokens).toBe(11);
  });

  it('does not invent numbers it does not have', () => {
    const stats = runStats(
      run({ measurements: { promptTokens: 0, outputTokens: 0, prefillMs: 0, decodeMs: 0 } }),
    );
    expect(stats).toMatchObject({
      prefillTokensPerSecond: null,
      decodeTokensPerSecond: null,
      timeToFirstTokenMs: null,
      promptTokens: null,
      liveDecodeTokensPerSecond: null,
    });
  });
});
