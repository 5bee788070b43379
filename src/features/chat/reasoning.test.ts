import { describe, expect, it } from 'vitest';
import { createReasoningSplitter, splitReasoning, type ReasoningDelta } from './reasoning.ts';

/** Feeds `pieces` through one splitter and joins what came out, with each piece's own delta. */
function stream(pieces: string[], startsInReasoning = false) {
  const splitter = createReasoningSplitter({ startsInReasoning, now: () => 0 });
  const deltas = pieces.map((piece) => splitter.push(piece));
  const last = splitter.finish();
  const joined = [...deltas, last].reduce<ReasoningDelta>(
    (all, d) => ({ reasoning: all.reasoning + d.reasoning, content: all.content + d.content }),
    { reasoning: '', content: '' },
  );
  return { ...joined, deltas, phase: splitter.phase };
}

/** Every way to cut `text` in two, and one character at a time. */
function chunkings(text: string): string[][] {
  const halves = Array.from({ length: text.length + 1 }, (_, i) => [
    text.slice(0, i),
    text.slice(i),
  ]);
  // The texts are ASCII: one UTF-16 unit is one character.
  return [...halves, text.split('')];
}

describe('reasoning splitter', () => {
  it('splits <think>…</think> wherever the tags are cut across pieces', () => {
    const text = '<think>\nThe user greets me.\n</think>\n\nHello!';
    for (const pieces of chunkings(text)) {
      const { reasoning, content } = stream(pieces);
      expect({ reasoning, content }, JSON.stringify(pieces)).toEqual({
        reasoning: 'The user greets me.\n',
        content: 'Hello!',
      });
    }
  });

  it('drops whitespace before the opening tag (Qwen3 may start with a newline)', () => {
    expect(stream(['\n', '\n<th', 'ink>Hm</think>', 'Yes'])).toMatchObject({
      reasoning: 'Hm',
      content: 'Yes',
    });
  });

  it('keeps a block that never closes as reasoning, still open', () => {
    const result = stream(['<think>', 'Let me count: 1, 2', ', 3 </thi']);
    expect(result).toMatchObject({ reasoning: 'Let me count: 1, 2, 3 </thi', content: '' });
    expect(result.phase).toBe('reasoning');
  });

  it('shows text at once, holding back only what may be a tag', () => {
    const { deltas } = stream(['<think>Step one </th', 'is done</think>Answer <thi', 'nk>']);
    expect(deltas).toEqual([
      { reasoning: 'Step one ', content: '' },
      { reasoning: '</this done', content: 'Answer <thi' },
      { reasoning: '', content: 'nk>' },
    ]);
  });

  it('without tags, everything is the answer, even text that starts like a tag', () => {
    expect(stream(['<', 'b>bold</b> and <think>'])).toMatchObject({
      reasoning: '',
      content: '<b>bold</b> and <think>',
    });
    expect(stream(['<thi'])).toMatchObject({ reasoning: '', content: '<thi' });
  });

  it('a template that opens the reasoning: the output has only </think>', () => {
    const text = 'Two plus two.\n</think>\n\n4';
    for (const pieces of chunkings(text)) {
      const { reasoning, content } = stream(pieces, true);
      expect({ reasoning, content }, JSON.stringify(pieces)).toEqual({
        reasoning: 'Two plus two.\n',
        content: '4',
      });
    }
    // A model that writes the opening tag anyway is read the same way.
    expect(stream(['<think>\nTwo.</think>4'], true)).toMatchObject({
      reasoning: 'Two.',
      content: '4',
    });
    // Cut off while thinking: all of it is reasoning.
    expect(stream(['Hmm, let me', ' think'], true)).toMatchObject({
      reasoning: 'Hmm, let me think',
      content: '',
      phase: 'reasoning',
    });
  });

  it('times the reasoning from its first text to its closing tag, or to the end', () => {
    let clock = 0;
    const splitter = createReasoningSplitter({ startsInReasoning: false, now: () => clock });
    clock = 100;
    splitter.push('<think>Hm');
    clock = 3300;
    splitter.push('m');
    expect(splitter.reasoningMs).toBeNull();
    clock = 3400;
    splitter.push('</think>Yes');
    clock = 9000;
    splitter.push(' indeed');
    splitter.finish();
    expect(splitter.reasoningMs).toBe(3300);

    const unfinished = createReasoningSplitter({ startsInReasoning: true, now: () => clock });
    clock = 0;
    unfinished.push('Thinking');
    clock = 1500;
    unfinished.finish();
    expect(unfinished.reasoningMs).toBe(1500);

    const none = createReasoningSplitter({ startsInReasoning: false, now: () => clock });
    none.push('Just an answer');
    none.finish();
    expect(none.reasoningMs).toBeNull();
  });

  it('a whole text splits as its stream does', () => {
    expect(splitReasoning('<think>a</think>b', false)).toEqual({ reasoning: 'a', content: 'b' });
    expect(splitReasoning('a</think>b', true)).toEqual({ reasoning: 'a', content: 'b' });
    expect(splitReasoning('a</think>b', false)).toEqual({ reasoning: '', content: 'a</think>b' });
  });
});
