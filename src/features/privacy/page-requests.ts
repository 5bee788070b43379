import type { OriginContact } from '../../shared/engine-protocol.ts';
import { countRequest } from '../../shared/origin-contacts.ts';

const contacts = new Map<string, OriginContact>();

function record(url: string, at: number) {
  // data: and blob: URLs never leave the page.
  if (/^https?:/.test(url)) countRequest(contacts, new URL(url).origin, at);
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
