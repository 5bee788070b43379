/**
 * Where models may be downloaded from. The same list goes into the Content-Security-Policy's
 * `connect-src` (see scripts/content-security-policy.ts), so the browser itself refuses any
 * other host; the app checks it first only to say so clearly.
 *
 * Hugging Face serves model files from huggingface.co and redirects large ones to its CDNs
 * (*.hf.co, *.huggingface.co); web-llm's model libraries live on raw.githubusercontent.com.
 * A deployment adds its own hosts with TAB_LLM_MODEL_HOSTS at build time.
 */
export const DEFAULT_MODEL_HOSTS = [
  'https://huggingface.co',
  'https://*.huggingface.co',
  'https://*.hf.co',
  'https://raw.githubusercontent.com',
] as const;

/**
 * The hosts this build allows: CSP host-source expressions (`scheme://host[:port]`). A function,
 * so that vite.config.ts can import this module before the build constant exists.
 */
export const allowedModelHosts = (): readonly string[] => __TAB_LLM_MODEL_HOSTS__;

/**
 * Whether `url` matches one of the CSP host-source expressions in `hosts`: the same scheme, the
 * host exactly or under a `*.` wildcard, and the port exactly, by default, or `*`.
 */
export function hostAllows(hosts: readonly string[], url: string): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  return hosts.some((source) => {
    const match = /^(https?):\/\/(\*\.)?([^:/]+)(?::(\d+|\*))?$/.exec(source);
    if (!match) return false;
    const [, scheme, wildcard, host = '', port] = match;
    if (target.protocol !== `${scheme}:`) return false;
    const hostMatches = wildcard ? target.hostname.endsWith(`.${host}`) : target.hostname === host;
    const portMatches = port === '*' || (port ?? '') === target.port;
    return hostMatches && portMatches;
  });
}
