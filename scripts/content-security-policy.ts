import { DEFAULT_MODEL_HOSTS } from '../src/shared/model-hosts.ts';

/** The default model hosts plus the deployment's own (TAB_LLM_MODEL_HOSTS, space-separated). */
export function buildModelHosts(extra = process.env.TAB_LLM_MODEL_HOSTS ?? ''): string[] {
  return [...DEFAULT_MODEL_HOSTS, ...extra.split(/\s+/).filter(Boolean)];
}

/**
 * The sites allowed to embed the widget page (TAB_LLM_EMBED_ORIGINS, space-separated CSP
 * host-sources such as `https://example.com` or `https://*.example.com:*`), besides the app's own
 * origin. They go into the widget page's `frame-ancestors` and into its own check of where it is
 * embedded. Anything else is refused at build time: a typo must not widen the list, and `*`
 * (any site) is refused outright.
 */
export function buildEmbedOrigins(extra = process.env.TAB_LLM_EMBED_ORIGINS ?? ''): string[] {
  const origins = extra.split(/\s+/).filter(Boolean);
  for (const origin of origins) {
    if (!/^https?:\/\/(\*\.)?[a-z0-9.-]+(:(\d+|\*))?$/i.test(origin)) {
      throw new Error(
        `TAB_LLM_EMBED_ORIGINS: "${origin}" is not an origin (scheme://host[:port], a leading *. and a :* port allowed)`,
      );
    }
  }
  return origins;
}

/**
 * The production Content-Security-Policy. Everything comes from our own origin; the only
 * exceptions are what the engines need:
 * - `wasm-unsafe-eval`: compiling WebAssembly (llama.cpp, web-llm), and nothing else eval-like;
 * - `worker-src blob:`: wllama starts its own worker from a blob: URL;
 * - `connect-src`: downloads from the allowed model hosts only, and `blob:`: llama.cpp's worker
 *   reads its wasm from a blob: URL that the inference worker fetched, so that the one request
 *   is in a log the privacy panel reads (a blob: URL never leaves the browser).
 * `frame-ancestors` works only as a header (a meta tag ignores it), so `forMeta` leaves it out;
 * it is `'self'`, except on the widget page (`frameAncestors`: see `widgetHeaders`).
 */
export function contentSecurityPolicy(
  modelHosts: readonly string[],
  forMeta = false,
  frameAncestors: readonly string[] = ["'self'"],
): string {
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    ['script-src', "'self'", "'wasm-unsafe-eval'"],
    ['worker-src', "'self'", 'blob:'],
    ['connect-src', "'self'", ...modelHosts, 'blob:'],
    ['img-src', "'self'"],
    ['style-src', "'self'"],
    ['font-src', "'self'"],
    ['manifest-src', "'self'"],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'none'"],
  ];
  if (!forMeta) directives.push(['frame-ancestors', ...frameAncestors]);
  return directives.map((d) => d.join(' ')).join('; ');
}

/**
 * The widget page's headers, on top of the app's: its `frame-ancestors` lists the sites allowed
 * to embed it; `Cross-Origin-Resource-Policy: cross-origin` lets a cross-origin-isolated host page
 * (COEP) embed it; and `Document-Isolation-Policy` makes the widget cross-origin isolated on its
 * own where the browser supports it (Chromium 137+), so that llama.cpp's CPU path gets
 * SharedArrayBuffer threads inside a host page that is not isolated.
 */
export function widgetHeaders(
  appHeaders: Readonly<Record<string, string>>,
  modelHosts: readonly string[],
  embedOrigins: readonly string[],
): Record<string, string> {
  return {
    ...appHeaders,
    'Content-Security-Policy': contentSecurityPolicy(modelHosts, false, [
      "'self'",
      ...embedOrigins,
    ]),
    'Cross-Origin-Resource-Policy': 'cross-origin',
    'Document-Isolation-Policy': 'isolate-and-require-corp',
  };
}

/**
 * The loader's headers: any site may load it (it is public code and holds nothing), also a
 * cross-origin-isolated one, and it is revalidated so that hosts get a new version at once.
 */
export const LOADER_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/javascript; charset=utf-8',
  'Access-Control-Allow-Origin': '*',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
};
