import { hostAllows } from '../shared/model-hosts.ts';

/**
 * Where the widget page may be: on its own (the app's origin, top level), or inside pages of the
 * sites a deployment allows (TAB_LLM_EMBED_ORIGINS). The browser enforces this first, through
 * the page's `frame-ancestors` header; these checks hold where no header was sent (a static host
 * serving only files) and for the host API's handshake.
 */

/** The sites this build allows to embed the widget (CSP host-sources). */
export const allowedEmbedOrigins = (): readonly string[] => __TAB_LLM_EMBED_ORIGINS__;

/** Whether a page of `origin` may embed the widget of `ownOrigin`. */
export function embedderAllowed(
  origin: string,
  ownOrigin: string,
  allowed: readonly string[],
): boolean {
  if (origin === ownOrigin) return true;
  // An opaque origin (a sandboxed frame, a data: URL) is nobody's site.
  if (origin === 'null' || !/^https?:\/\/[^/]+$/.test(origin)) return false;
  return hostAllows(allowed, origin);
}

/**
 * Whether the widget may render: every page around it (`location.ancestorOrigins`, nearest
 * first) is allowed. Null ancestors: the browser does not say (Firefox), and only the
 * `frame-ancestors` header protects the page there.
 */
export function placementAllowed(
  ancestors: readonly string[] | null,
  ownOrigin: string,
  allowed: readonly string[],
): boolean {
  return ancestors === null || ancestors.every((a) => embedderAllowed(a, ownOrigin, allowed));
}

/** `location.ancestorOrigins` as an array, or null where the browser lacks it. */
export function ancestorOrigins(where: Location = location): string[] | null {
  return 'ancestorOrigins' in where ? Array.from(where.ancestorOrigins) : null;
}
