import { describe, expect, it } from 'vitest';
import { markdownBlocks } from './markdown-blocks.ts';

describe('markdownBlocks', () => {
  it('splits at blank lines', () => {
    expect(markdownBlocks('# Title\n\nOne\ntwo\n\n\n- a\n- b\n')).toEqual([
      '# Title',
      'One\ntwo',
      '- a\n- b',
    ]);
  });

  it('keeps a fenced code block whole, blank lines included', () => {
    const code = '```js\nconst a = 1;\n\nconst b = 2;\n```';
    expect(markdownBlocks(`Intro\n\n${code}\n\nAfter`)).toEqual(['Intro', code, 'After']);
  });

  it('closes a fence only with the same marker, at least as long, with no info string', () => {
    const code = '````md\n```js\n\n```\n````';
    expect(markdownBlocks(`${code}\n\nEnd`)).toEqual([code, 'End']);
    expect(markdownBlocks('~~~\n```\n\nx\n~~~')).toEqual(['~~~\n```\n\nx\n~~~']);
  });

  it('leaves an unclosed fence open to the end, as it is while streaming', () => {
    expect(markdownBlocks('Text\n\n```py\nprint(1)\n\n')).toEqual(['Text', '```py\nprint(1)\n\n']);
  });

  it('earlier blocks do not change as the text grows', () => {
    const answer = 'First paragraph.\n\nSecond paragraph that keeps growing';
    const before = markdownBlocks(answer);
    const after = markdownBlocks(answer + ' with more words.\n\nThird');
    expect(after.slice(0, 1)).toEqual(before.slice(0, 1));
    expect(markdownBlocks('')).toEqual([]);
  });
});
