import { describe, expect, it } from 'vitest';
import { restoreSentRequests, wentToNetwork } from './request-log.ts';

describe('request log', () => {
  it('tells a network request from a cached answer', () => {
    const entry = (transferSize: number, encodedBodySize: number, more = {}) =>
      wentToNetwork({
        name: 'https://app.example/a.js',
        transferSize,
        encodedBodySize,
        workerStart: 0,
        ...more,
      });
    // Fetched: body and headers crossed the network.
    expect(entry(10_300, 10_000)).toBe(true);
    // Revalidated (304): only headers crossed, but the server was asked.
    expect(entry(300, 10_000)).toBe(true);
    // The HTTP cache or the service worker's cache answered: nothing left the browser.
    expect(entry(0, 10_000)).toBe(false);
    expect(entry(0, 10_000, { workerStart: 12 })).toBe(false);
    expect(entry(0, 0, { deliveryType: 'cache' })).toBe(false);
    // No sizes: a worker script the service worker answered stayed in the browser…
    expect(entry(0, 0, { workerStart: 12 })).toBe(false);
    // …while another origin hiding its sizes, or a script a service worker imported, did not.
    expect(entry(0, 0)).toBe(true);
  });

  it('keeps only well-formed http(s) entries of a log from another context', () => {
    expect(
      restoreSentRequests([
        { url: 'https://app.example/a.js', at: 5 },
        { url: 'blob:https://app.example/x', at: 6 },
        { url: 'https://app.example/b.js', at: '7' },
        null,
        'junk',
      ]),
    ).toEqual([{ url: 'https://app.example/a.js', at: 5 }]);
    expect(restoreSentRequests({ not: 'a list' })).toEqual([]);
  });
});
