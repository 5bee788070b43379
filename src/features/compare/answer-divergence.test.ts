import { describe, expect, it } from 'vitest';
import { divergenceIndex } from './answer-divergence.ts';

describe('divergenceIndex', () => {
  it('is null for the same answer', () => {
    expect(divergenceIndex('Once upon a time', 'Once upon a time')).toBeNull();
  });

  it('is where the answers first differ', () => {
    expect(divergenceIndex('play outside in the park', 'play outside in the sun')).toBe(20);
    expect(divergenceIndex('abc', 'xbc')).toBe(0);
  });

  it('is the end of the shorter answer when one continues the other', () => {
    expect(divergenceIndex('Once upon', 'Once upon a time')).toBe(9);
    expect(divergenceIndex('Once upon a time', 'Once')).toBe(4);
  });

  it('does not split an emoji', () => {
    // Two emoji that share their first UTF-16 unit.
    expect(divergenceIndex('a😀', 'a😁')).toBe(1);
  });
});
