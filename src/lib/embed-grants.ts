import { createStore, del, entries, get, set, type UseStore } from 'idb-keyval';

/**
 * Which sites the visitor let use the model through the widget's host API (one idb-keyval store
 * for this concern). The widget asks once per site and remembers the answer; the app's Privacy
 * panel lists the sites and revokes them. A revoked site is refused without asking again, until
 * the visitor forgets the record.
 *
 * Where the browser partitions an embedded widget's storage by the site around it, a grant made
 * there lives in that partition; the widget then keeps it in its origin's own store only while
 * it has storage access (see `src/widget/shared-storage.ts`).
 */

/** Version 1 of a stored grant, keyed by the site's origin. */
export interface EmbedGrant {
  version: 1;
  origin: string;
  state: 'granted' | 'revoked';
  /** When the visitor granted or revoked it (epoch ms). */
  at: number;
}

export interface GrantStore {
  get: (origin: string) => Promise<EmbedGrant | null>;
  /** Every site, the most recent first. */
  list: () => Promise<EmbedGrant[]>;
  grant: (origin: string) => Promise<void>;
  revoke: (origin: string) => Promise<void>;
  /** Drops the record: the site may ask again. */
  forget: (origin: string) => Promise<void>;
}

/** The name of the store's database, in any origin's IndexedDB. */
export const GRANTS_DB = 'tab-llm-embed-grants';

export const openGrantsStore = (): UseStore => createStore(GRANTS_DB, 'grants');

/** A grant read back from storage, or null when it is damaged or unknown. */
export function restoreGrant(raw: unknown): EmbedGrant | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (r.version !== 1 || typeof r.origin !== 'string') return null;
  if (r.state !== 'granted' && r.state !== 'revoked') return null;
  if (typeof r.at !== 'number' || !Number.isFinite(r.at)) return null;
  return { version: 1, origin: r.origin, state: r.state, at: r.at };
}

export function createGrantStore(store: UseStore = openGrantsStore(), now = Date.now): GrantStore {
  const put = (origin: string, state: EmbedGrant['state']) =>
    set(origin, { version: 1, origin, state, at: now() } satisfies EmbedGrant, store);
  return {
    async get(origin) {
      const grant = restoreGrant(await get(origin, store));
      return grant?.origin === origin ? grant : null;
    },
    async list() {
      const all = await entries(store);
      return all
        .map(([key, value]) => {
          const grant = restoreGrant(value);
          return grant?.origin === key ? grant : null;
        })
        .filter((grant) => grant !== null)
        .sort((a, b) => b.at - a.at);
    },
    grant: (origin) => put(origin, 'granted'),
    revoke: (origin) => put(origin, 'revoked'),
    forget: (origin) => del(origin, store),
  };
}
