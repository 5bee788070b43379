import { DEFAULT_MODEL_HOSTS } from '../src/shared/model-hosts.ts';

/** The default model hosts plus the deployment's own (TAB_LLM_MODEL_HOSTS, space-separated). */
export function buildModelHosts(extra = process.env.TAB_LLM_MODEL_HOSTS ?? ''): string[] {
  return [...DEFAULT_MODEL_HOSTS, ...extra.split(/\s+/).filter(Boolean)];
}

/**
 * The production Content-Security-Policy. Everything comes from our own origin; the only
 * exceptions are what the engines need:
 * - `wasm-unsafe-eval`: compiling WebAssembly (llama.cpp, web-llm), and nothing else eval-like;
 * - `worker-src blob:`: wllama starts its own worker from a blob: URL;
 * - `connect-src`: downloads from the allowed model hosts only, and `blob:`: llama.cpp's worker
 *   reads its wasm from a blob: URL that the inference worker fetched, so that the one request
 *   is in a log the privacy panel reads (a blob: URL never leaves the browser).
 * `frame-ancestors` works only as a header (a meta tag ignores it), so `forMeta` leaves it out.
 */
export function contentSecurityPolicy(modelHosts: readonly string[], forMeta = false): string {
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
  if (!forMeta) directives.push(['frame-ancestors', "'self'"]);
  return directives.map((d) => d.join(' ')).join('; ');
}
