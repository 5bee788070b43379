import { describe, expect, it } from 'vitest';
import { createReasoningInliner } from './reasoning-content.ts';

describe('llama.cpp reasoning_content, back between tags', () => {
  it('wraps the reasoning deltas and closes them when the answer starts', () => {
    const inline = createReasoningInliner();
    const deltas = [
      { reasoning_content: 'The user', content: null },
      { reasoning_content: ' says hi.' },
      { content: 'Hello', reasoning_content: '' },
      { content: '!' },
      undefined,
    ];
    expect(deltas.map(inline)).toEqual(['<think>The user', ' says hi.', '</think>Hello', '!', '']);
  });

  it('passes an answer without reasoning through untouched', () => {
    const inline = createReasoningInliner();
    expect([{ content: '<b>' }, { content: 'x' }].map(inline)).toEqual(['<b>', 'x']);
  });

  it('leaves a block open when the run ends mid-thought, and ignores a non-string field', () => {
    const inline = createReasoningInliner();
    expect([{ reasoning_content: 'Hm' }, { reasoning_content: 42 }].map(inline).join('')).toBe(
      '<think>Hm',
    );
  });
});
