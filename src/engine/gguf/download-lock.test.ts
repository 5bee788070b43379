import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { downloadLockName } from '../../shared/model-keys.ts';
import { failureOf } from '../engine-failure-testing.ts';
import { ifNotDownloading, withDownloadLock } from './download-lock.ts';
import { FakeLockManager } from './web-locks-testing.ts';

const URL_ = 'https://h/m.gguf';
let locks: FakeLockManager;
beforeEach(() => {
  locks = new FakeLockManager();
  vi.stubGlobal('navigator', { locks });
});
afterEach(() => vi.unstubAllGlobals());

const never = () => {
  throw new Error('not expected to wait');
};

describe('withDownloadLock', () => {
  it('runs the work at once, holding the model’s lock, when no tab holds it', async () => {
    const held = await withDownloadLock(URL_, new AbortController().signal, never, async () =>
      // Taking the lock again must fail while the work runs.
      ifNotDownloading(URL_, async () => undefined),
    );
    expect(held).toBe(false);
    expect(await ifNotDownloading(URL_, async () => undefined)).toBe(true); // released after
  });

  it('waits for another tab, watching meanwhile, and runs the work once it is done', async () => {
    const release = locks.holdAsOtherTab(downloadLockName(URL_));
    const events: string[] = [];
    const watching: AbortSignal[] = [];
    const done = withDownloadLock(
      URL_,
      new AbortController().signal,
      (stop) => {
        watching.push(stop);
        events.push('watching');
      },
      async () => {
        events.push(`work, watching stopped: ${String(watching[0]?.aborted)}`);
        return 42;
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(events).toEqual(['watching']);
    release();
    expect(await done).toBe(42);
    expect(events).toEqual(['watching', 'work, watching stopped: false']);
    expect(watching.map((w) => w.aborted)).toEqual([true]);
  });

  it('ends as cancelled when aborted while waiting, and stops watching', async () => {
    locks.holdAsOtherTab(downloadLockName(URL_));
    const controller = new AbortController();
    const watching: AbortSignal[] = [];
    const work = vi.fn(async () => 1);
    const done = withDownloadLock(
      URL_,
      controller.signal,
      (stop) => {
        watching.push(stop);
      },
      work,
    );
    controller.abort();
    expect(await failureOf(done)).toEqual({ kind: 'cancelled' });
    expect(work).not.toHaveBeenCalled();
    expect(watching.map((w) => w.aborted)).toEqual([true]);
  });

  it('passes on what the work throws', async () => {
    const failure = new Error('disk on fire');
    await expect(
      withDownloadLock(URL_, new AbortController().signal, never, () => Promise.reject(failure)),
    ).rejects.toBe(failure);
  });

  it('just runs the work where the browser has no Web Locks', async () => {
    vi.stubGlobal('navigator', {});
    expect(await withDownloadLock(URL_, new AbortController().signal, never, async () => 7)).toBe(
      7,
    );
  });
});

describe('ifNotDownloading', () => {
  it('runs nothing and says so while another tab downloads the model', async () => {
    const release = locks.holdAsOtherTab(downloadLockName(URL_));
    const work = vi.fn(async () => undefined);
    expect(await ifNotDownloading(URL_, work)).toBe(false);
    expect(work).not.toHaveBeenCalled();
    // Another model is not held up.
    expect(await ifNotDownloading('https://h/other.gguf', work)).toBe(true);
    release();
    expect(await ifNotDownloading(URL_, work)).toBe(true);
    expect(work).toHaveBeenCalledTimes(2);
  });

  it('runs the work where the browser has no Web Locks', async () => {
    vi.stubGlobal('navigator', {});
    const work = vi.fn(async () => undefined);
    expect(await ifNotDownloading(URL_, work)).toBe(true);
    expect(work).toHaveBeenCalledOnce();
  });
});
