/**
 * Drives the bare raw-engine page (`raw-engine/`, `window.rawEngine`) from Node. A page call has
 * no timeout of its own in Playwright, so each one is bounded by a step's time and by its figure.
 */
import type { Page } from '@playwright/test';
import { STEP_MS } from './config.ts';
import type { RawEngine, StoreSink } from './raw-engine/raw-engine-api.ts';
import { withTimeLimit } from './time-limit.ts';

export type RawPage = ReturnType<typeof rawPage>;

export function rawPage(page: Page, signal: AbortSignal) {
  const step = <T>(what: string, call: () => Promise<T>) =>
    withTimeLimit(`raw wllama: ${what}`, STEP_MS, call, { parent: signal });
  return {
    page,
    open: (origin: string) => step('open the page', () => page.goto(origin)),
    fetchModel: (url: string) =>
      step(`fetch ${url}`, () =>
        page.evaluate(
          (u) => (window as unknown as { rawEngine: RawEngine }).rawEngine.fetchModel(u),
          url,
        ),
      ),
    load: (backend: 'auto' | 'cpu') =>
      step(`load on ${backend}`, () =>
        page.evaluate(
          (b) =>
            (window as unknown as { rawEngine: RawEngine }).rawEngine.load({
              backend: b,
              contextSize: 2048,
            }),
          backend,
        ),
      ),
    generate: (prompt: string, maxTokens: number, ignoreEos = false) =>
      step(`generate ${maxTokens} tokens`, () =>
        page.evaluate(
          (o) => (window as unknown as { rawEngine: RawEngine }).rawEngine.generate(o),
          {
            prompt,
            maxTokens,
            ignoreEos,
          },
        ),
      ),
    storeOnly: (url: string, sink: StoreSink) =>
      step(`store into ${sink}`, () =>
        page.evaluate(
          ([u, s]) => (window as unknown as { rawEngine: RawEngine }).rawEngine.storeOnly(u, s),
          [url, sink] as const,
        ),
      ),
    unload: () =>
      step('unload', () =>
        page.evaluate(() => (window as unknown as { rawEngine: RawEngine }).rawEngine.unload()),
      ),
  };
}
