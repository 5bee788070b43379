/**
 * Requests as the browser's Resource Timing reports them, in whichever context made them: the
 * page, the inference worker, the service worker. Each context can only see its own, so each
 * keeps its own log and the privacy panel adds them up.
 */

/** One request that went over the network: its URL, and when it started (epoch ms). */
export interface SentRequest {
  url: string;
  at: number;
}

/** The message the page sends the service worker (with a port) to get its `SentRequest[]`. */
export const REQUEST_LOG_MESSAGE = 'tab-llm:request-log';

/** What `wentToNetwork` reads of a Resource Timing entry. */
export type TimingEntry = Pick<
  PerformanceResourceTiming,
  'name' | 'transferSize' | 'encodedBodySize' | 'workerStart'
> & { deliveryType?: string };

/**
 * Whether a Resource Timing entry went over the network, as Chromium reports them:
 *
 * - over the network, `transferSize` counts what crossed it (a revalidation, 304, its headers);
 * - from the HTTP cache or a service worker's cache, `transferSize` is 0 and the body is there
 *   (`deliveryType` says `cache` for the HTTP cache);
 * - some entries carry no sizes at all (both 0): another origin without `Timing-Allow-Origin`,
 *   the scripts a service worker imports as it installs (fetched), and a worker's script that a
 *   service worker answered (`workerStart` set: here the service worker answers from its cache).
 *   Without sizes, what did not pass a service worker is counted: nothing says it stayed.
 */
export function wentToNetwork(entry: TimingEntry): boolean {
  if (entry.transferSize > 0) return true;
  if (entry.encodedBodySize > 0 || entry.deliveryType === 'cache') return false;
  return entry.workerStart === 0;
}

/**
 * Calls `onRequest` for every request of `scope` that went over the network (and that `include`
 * takes): those made before this call (the buffered entries) and every one after it. Only
 * http(s): `blob:` and `data:` URLs never leave the context.
 */
export function observeSentRequests(
  scope: { performance: Performance },
  onRequest: (request: SentRequest) => void,
  include: (entry: PerformanceResourceTiming) => boolean = () => true,
): void {
  if (typeof PerformanceObserver === 'undefined') return;
  const { timeOrigin } = scope.performance;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as PerformanceResourceTiming[]) {
      if (/^https?:/.test(entry.name) && include(entry) && wentToNetwork(entry)) {
        onRequest({ url: entry.name, at: timeOrigin + entry.startTime });
      }
    }
  }).observe({ type: 'resource', buffered: true });
}

/** A log received from another context, checked: only well-formed entries are kept. */
export function restoreSentRequests(raw: unknown): SentRequest[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item: unknown): SentRequest[] => {
    if (typeof item !== 'object' || item === null) return [];
    const { url, at } = item as Record<string, unknown>;
    return typeof url === 'string' && /^https?:/.test(url) && typeof at === 'number'
      ? [{ url, at }]
      : [];
  });
}
