import { describe, expect, it } from 'vitest';
import { viewFromHash, viewHref, views } from './routes.ts';

describe('hash routes', () => {
  it('reads every view back from its own link', () => {
    for (const view of views) expect(viewFromHash(viewHref[view])).toBe(view);
  });

  it('opens the chat for an empty, root or unknown hash', () => {
    expect(viewFromHash('')).toBe('chat');
    expect(viewFromHash('#')).toBe('chat');
    expect(viewFromHash('#/')).toBe('chat');
    expect(viewFromHash('#/nowhere')).toBe('chat');
    expect(viewFromHash('#models-heading')).toBe('chat');
  });

  it('ignores a trailing slash, a deeper path and a query', () => {
    expect(viewFromHash('#/models/')).toBe('models');
    expect(viewFromHash('#/privacy?from=menu')).toBe('privacy');
    expect(viewFromHash('#/compare/q4-vs-q8')).toBe('compare');
    expect(viewFromHash('#models')).toBe('models');
  });
});
