/**
 * Runs inside the service worker that vite-plugin-pwa generates (it is bundled on its own and
 * loaded there with `importScripts`, see scripts/service-worker-request-log.ts). The service
 * worker's requests (its precache, its imported scripts) are in its own Resource Timing, which no
 * page can read: it keeps them and hands them to a page that asks, so that the privacy panel
 * counts what the browser really sent.
 */
import {
  REQUEST_LOG_MESSAGE,
  observeSentRequests,
  type SentRequest,
} from '../shared/request-log.ts';

/** The little of `ServiceWorkerGlobalScope` this needs (the DOM types do not describe it). */
interface ServiceWorkerScope {
  performance: Performance;
  location: { href: string };
  addEventListener: (
    type: 'install' | 'message',
    listener: (event: { data?: unknown; ports?: readonly MessagePort[] }) => void,
  ) => void;
}

const scope = globalThis as unknown as ServiceWorkerScope;
/** `importScripts`: the only requests of a service worker not made with `fetch`. */
const isScript = (entry: PerformanceResourceTiming) => entry.initiatorType === 'other';
const sent: SentRequest[] = [];

// Its own fetches (the precache). Its scripts are not fetched by it but by the browser, below.
observeSentRequests(
  scope,
  (request) => sent.push(request),
  (entry) => !isScript(entry),
);

// To install this version the browser fetched its script and the scripts it imports; Resource
// Timing shows the imports only as read from the browser's copy as the script runs. A worker
// woken again later (no install) reads them from that copy too, and fetches nothing.
scope.addEventListener('install', () => {
  sent.push({ url: scope.location.href, at: Date.now() });
  for (const entry of scope.performance.getEntriesByType('resource')) {
    if (!isScript(entry as PerformanceResourceTiming)) continue;
    sent.push({ url: entry.name, at: scope.performance.timeOrigin + entry.startTime });
  }
});

scope.addEventListener('message', (event) => {
  const { data, ports } = event;
  const asked = typeof data === 'object' && data !== null && 'type' in data;
  if (asked && data.type === REQUEST_LOG_MESSAGE) ports?.[0]?.postMessage([...sent]);
});
