import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimeLimitError, withTimeLimit } from './time-limit.ts';

const never = () => new Promise<never>(() => undefined);

describe('withTimeLimit', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives the result of work that ends in time, and leaves no timer behind', async () => {
    const result = withTimeLimit('figure 9', 1000, async () => 42);
    await expect(result).resolves.toBe(42);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes on the error of work that fails in time', async () => {
    const result = withTimeLimit('figure 9', 1000, async () => {
      throw new Error('the app reported: not a GGUF file');
    });
    await expect(result).rejects.toThrow('the app reported: not a GGUF file');
  });

  it('rejects at the limit with the figure named, and aborts the signal work was given', async () => {
    let signal: AbortSignal | null = null;
    const result = withTimeLimit('figure 4 (smoothness)', 20 * 60_000, (s) => {
      signal = s;
      return never();
    });
    const outcome = expect(result).rejects.toThrow(
      new TimeLimitError('figure 4 (smoothness)', 20 * 60_000),
    );
    await vi.advanceTimersByTimeAsync(20 * 60_000 - 1);
    expect((signal as AbortSignal | null)?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await outcome;
    expect((signal as AbortSignal | null)?.aborted).toBe(true);
    await expect(result).rejects.toThrow('no result within 20.0 min');
  });

  it('reports the limit, not the error of work that fails because it was aborted', async () => {
    const result = withTimeLimit(
      'figure 1',
      1000,
      (signal) =>
        new Promise<never>((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('Target page has been closed'))),
        ),
    );
    const outcome = expect(result).rejects.toBeInstanceOf(TimeLimitError);
    await vi.advanceTimersByTimeAsync(1000);
    await outcome;
  });

  it('waits up to the grace for work to clean up after the limit, then rejects', async () => {
    let cleanedUp = false;
    const result = withTimeLimit(
      'figure 2',
      1000,
      (signal) =>
        new Promise<never>((_, reject) =>
          signal.addEventListener('abort', () =>
            setTimeout(() => {
              cleanedUp = true;
              reject(new Error('closed'));
            }, 500),
          ),
        ),
      { graceMs: 30_000 },
    );
    let settled = false;
    result.catch(() => (settled = true));
    await vi.advanceTimersByTimeAsync(1400);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(cleanedUp).toBe(true);
    await expect(result).rejects.toBeInstanceOf(TimeLimitError);
  });

  it('does not wait past the grace for work that ignores the signal', async () => {
    const result = withTimeLimit('figure 3', 1000, never, { graceMs: 5000 });
    const outcome = expect(result).rejects.toBeInstanceOf(TimeLimitError);
    await vi.advanceTimersByTimeAsync(6000);
    await outcome;
  });

  it("ends a step when its figure's own limit fires first, with the figure's reason", async () => {
    const figure = withTimeLimit('figure 4', 1000, (signal) =>
      withTimeLimit('one answer', 60_000, never, { parent: signal }),
    );
    const outcome = expect(figure).rejects.toThrow('figure 4: no result within 1.0 s');
    await vi.advanceTimersByTimeAsync(1000);
    await outcome;
  });

  it('ends a step at once whose parent has already aborted', async () => {
    const parent = AbortSignal.abort(new Error('figure 1: no result within 1.0 s'));
    const work = vi.fn(never);
    const result = withTimeLimit('load', 60_000, work, { parent });
    await expect(result).rejects.toThrow('figure 1: no result within 1.0 s');
  });
});
