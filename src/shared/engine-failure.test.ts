import { describe, expect, it } from 'vitest';
import { classifyError, EngineFailure } from './engine-failure.ts';

const download = {
  url: 'https://h/m.gguf',
  expectedBytes: 100,
  receivedBytes: 40,
  storedBytes: 32,
};

describe('classifyError', () => {
  it('keeps the error an EngineFailure carries', () => {
    const error = { kind: 'not-gguf', source: 'x' } as const;
    expect(classifyError(new EngineFailure(error), { download })).toEqual(error);
  });

  it('tells an abort, from the DOM or from a library', () => {
    expect(classifyError(new DOMException('stop', 'AbortError'))).toEqual({ kind: 'cancelled' });
    const fromLibrary = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(classifyError(fromLibrary, { download })).toEqual({ kind: 'cancelled' });
  });

  it('tells a full quota, with what a download kept', () => {
    const full = new DOMException('no room', 'QuotaExceededError');
    expect(classifyError(full)).toEqual({
      kind: 'storage-full',
      detail: 'no room',
      storedBytes: null,
    });
    expect(classifyError(full, { download })).toMatchObject({ storedBytes: 32 });
  });

  it('tells a cut download from a request that failed', () => {
    const cut = new TypeError('network error');
    expect(classifyError(cut, { download })).toEqual({
      kind: 'download-incomplete',
      url: download.url,
      expectedBytes: 100,
      receivedBytes: 40,
      storedBytes: 32,
    });
    expect(classifyError(cut, { download: { ...download, expectedBytes: null } })).toEqual({
      kind: 'download-failed',
      url: download.url,
      status: null,
      detail: 'network error',
    });
  });

  it('calls anything else internal, with its text', () => {
    expect(classifyError(new RangeError('bad'))).toEqual({ kind: 'internal', detail: 'bad' });
    expect(classifyError('a string')).toEqual({ kind: 'internal', detail: 'a string' });
  });
});
