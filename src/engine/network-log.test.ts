import { describe, expect, it } from 'vitest';
import { contactedOrigins, logRequestsOf } from './network-log.ts';

describe('network log', () => {
  it('records every request to another origin as it starts, whatever its outcome', async () => {
    let clock = 100;
    const sent: string[] = [];
    const scope = {
      location: { href: 'https://app.example/index.html' },
      fetch: (input: RequestInfo | URL) => {
        sent.push(String(input instanceof Request ? input.url : input));
        return sent.length === 3
          ? Promise.reject(new TypeError('Failed to fetch'))
          : Promise.resolve(new Response('ok'));
      },
    };
    logRequestsOf(scope, () => clock++);

    await scope.fetch('https://huggingface.co/a/resolve/main/m.gguf');
    await scope.fetch(new URL('https://cdn-lfs.hf.co/x'));
    await expect(scope.fetch(new Request('https://huggingface.co/api/models'))).rejects.toThrow();
    await scope.fetch('/assets/relative.wasm');

    expect(sent).toHaveLength(4); // every request still goes out, unchanged
    // The app's own origin is left to Resource Timing, which knows what the caches answered.
    expect(contactedOrigins()).toEqual([
      { origin: 'https://huggingface.co', requests: 2, firstAt: 100, lastAt: 102 },
      { origin: 'https://cdn-lfs.hf.co', requests: 1, firstAt: 101, lastAt: 101 },
    ]);
  });
});
