import type { OriginContact } from '../shared/engine-protocol.ts';
import { countRequest } from '../shared/origin-contacts.ts';
import { observeSentRequests } from '../shared/request-log.ts';

const contacts = new Map<string, OriginContact>();

function urlOf(input: RequestInfo | URL): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}

/**
 * Records the origin of every request the worker sends, so that the privacy panel lists what the
 * requests themselves did, not what the code meant to do:
 *
 * - to other origins (model hosts), every call of `scope.fetch` (our downloader and web-llm both
 *   fetch through it) as it starts, whatever its outcome: a download cut mid-way or refused by
 *   CORS was still sent, and Resource Timing lists neither;
 * - to the app's own origin (the engines' code and wasm, loaded lazily), what Resource Timing
 *   reports as gone over the network: not what the HTTP cache or the service worker answered.
 */
export function logRequestsOf(
  scope: {
    fetch: typeof fetch;
    location: { href: string };
    performance?: Performance;
  },
  now = Date.now,
): void {
  const own = new URL(scope.location.href).origin;
  const send = scope.fetch.bind(scope);
  scope.fetch = (input, init) => {
    const origin = new URL(urlOf(input), scope.location.href).origin;
    if (origin !== own) countRequest(contacts, origin, now());
    return send(input, init);
  };
  const { performance } = scope;
  if (performance) {
    observeSentRequests({ performance }, ({ url, at }) => {
      const origin = new URL(url).origin;
      if (origin === own) countRequest(contacts, origin, at);
    });
  }
}

export function contactedOrigins(): OriginContact[] {
  return [...contacts.values()];
}
