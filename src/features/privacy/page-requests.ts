import type { OriginContact } from '../../lib/engine-protocol.ts';

const contacts = new Map<string, OriginContact>();

function record(url: string, at: number) {
  if (!/^https?:/.test(url)) return; // data: and blob: URLs never leave the page
  const { origin } = new URL(url);
  const seen = contacts.get(origin);
  contacts.set(origin, {
    origin,
    requests: (seen?.requests ?? 0) + 1,
    firstAt: seen?.firstAt ?? at,
    lastAt: at,
  });
}

/**
 * The page's own requests (the document, scripts, styles, icons, the service worker's script), as
 * the browser's Resource Timing reports them. Started when this module loads; `buffered` also
 * delivers what loaded before.
 */
if (typeof PerformanceObserver !== 'undefined') {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      record(entry.name, performance.timeOrigin + entry.startTime);
  }).observe({ type: 'resource', buffered: true });
  record(location.href, performance.timeOrigin);
}

export function pageRequests(): OriginContact[] {
  return [...contacts.values()];
}

/** Merges the page's and the worker's logs into one entry per origin. */
export function mergeContacts(...logs: OriginContact[][]): OriginContact[] {
  const merged = new Map<string, OriginContact>();
  for (const contact of logs.flat()) {
    const seen = merged.get(contact.origin);
    merged.set(
      contact.origin,
      seen
        ? {
            origin: contact.origin,
            requests: seen.requests + contact.requests,
            firstAt: Math.min(seen.firstAt, contact.firstAt),
            lastAt: Math.max(seen.lastAt, contact.lastAt),
          }
        : contact,
    );
  }
  return [...merged.values()].sort((a, b) => a.firstAt - b.firstAt);
}
