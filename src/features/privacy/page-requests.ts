import type { OriginContact } from '../../shared/engine-protocol.ts';
import { countRequest } from '../../shared/origin-contacts.ts';
import {
  REQUEST_LOG_MESSAGE,
  observeSentRequests,
  restoreSentRequests,
  type SentRequest,
  wentToNetwork,
} from '../../shared/request-log.ts';

const contacts = new Map<string, OriginContact>();
/** Requests already counted (`url@at`): the service worker hands its whole log each time. */
const counted = new Set<string>();

function record({ url, at }: SentRequest) {
  const key = `${url}@${at}`;
  if (counted.has(key)) return;
  counted.add(key);
  countRequest(contacts, new URL(url).origin, at);
}

/** How long a service worker may take to answer before its log is left for the next ask. */
const ANSWER_MS = 2_000;

/** The log of one service worker, or nothing if it does not answer in time. */
function askLog(worker: ServiceWorker): Promise<SentRequest[]> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve([]), ANSWER_MS);
    channel.port1.onmessage = (event) => {
      clearTimeout(timer);
      resolve(restoreSentRequests(event.data));
    };
    worker.postMessage({ type: REQUEST_LOG_MESSAGE }, [channel.port2]);
  });
}

/**
 * Counts what `worker` sent during this page's life (it may be older than the page, and its
 * earlier requests were another page's).
 */
async function countServiceWorker(worker: ServiceWorker) {
  if (worker.state === 'redundant') return;
  for (const request of await askLog(worker)) {
    if (request.at >= performance.timeOrigin) record(request);
  }
}

/**
 * A service worker's requests happen while it installs (the precache, its imported scripts, its
 * own script), so its log is asked for whenever one of the registration's workers reaches a new
 * state, and once at start. Nothing polls it: an idle service worker may stop.
 */
async function followServiceWorkers(container: ServiceWorkerContainer) {
  const registration = await container.ready;
  const follow = (worker: ServiceWorker | null) => {
    if (!worker) return;
    void countServiceWorker(worker);
    worker.addEventListener('statechange', () => void countServiceWorker(worker));
  };
  follow(registration.installing);
  follow(registration.waiting);
  follow(registration.active);
  registration.addEventListener('updatefound', () => follow(registration.installing));
}

/**
 * The page's own requests that went over the network: the document and what Resource Timing
 * reports (scripts, styles, icons, the inference worker's script, the page's fetches), and the
 * service worker's. Started when this module loads; `buffered` also delivers what loaded before.
 * The inference worker reports its own (`EngineApi.networkLog`).
 */
if (typeof PerformanceObserver !== 'undefined') {
  const [navigation] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
  // A document the service worker answered from its cache never left the browser.
  if (!navigation || wentToNetwork(navigation)) {
    record({ url: location.href, at: performance.timeOrigin });
  }
  observeSentRequests(globalThis, record);
  if ('serviceWorker' in navigator) void followServiceWorkers(navigator.serviceWorker);
}

export function pageRequests(): OriginContact[] {
  return [...contacts.values()];
}
