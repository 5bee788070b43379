import type { OriginContact } from './engine-protocol.ts';

/** Two records of one origin as one: requests added, the first and latest times kept. */
function combine(seen: OriginContact | undefined, next: OriginContact): OriginContact {
  if (!seen) return next;
  return {
    origin: next.origin,
    requests: seen.requests + next.requests,
    firstAt: Math.min(seen.firstAt, next.firstAt),
    lastAt: Math.max(seen.lastAt, next.lastAt),
  };
}

/** Counts one request to `origin` at `at` (epoch ms) in `contacts`. */
export function countRequest(
  contacts: Map<string, OriginContact>,
  origin: string,
  at: number,
): void {
  contacts.set(
    origin,
    combine(contacts.get(origin), { origin, requests: 1, firstAt: at, lastAt: at }),
  );
}

/** Several logs (the page's, the worker's) as one entry per origin, the earliest first. */
export function mergeContacts(...logs: OriginContact[][]): OriginContact[] {
  const merged = new Map<string, OriginContact>();
  for (const contact of logs.flat()) {
    merged.set(contact.origin, combine(merged.get(contact.origin), contact));
  }
  return [...merged.values()].sort((a, b) => a.firstAt - b.firstAt);
}
