import type { OriginContact } from '../shared/engine-protocol.ts';
import { countRequest } from '../shared/origin-contacts.ts';

const contacts = new Map<string, OriginContact>();

function urlOf(input: RequestInfo | URL): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}

/**
 * Records the origin of every request made through `scope.fetch` (the worker's global: our
 * downloader and web-llm both fetch through it). The privacy panel shows the result, so what it
 * lists comes from the requests themselves, not from what the code meant to do.
 */
export function logRequestsOf(
  scope: { fetch: typeof fetch; location: { href: string } },
  now = Date.now,
): void {
  const send = scope.fetch.bind(scope);
  scope.fetch = (input, init) => {
    countRequest(contacts, new URL(urlOf(input), scope.location.href).origin, now());
    return send(input, init);
  };
}

export function contactedOrigins(): OriginContact[] {
  return [...contacts.values()];
}
