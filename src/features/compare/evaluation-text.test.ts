import { describe, expect, it } from 'vitest';
import { EVALUATION_PROMPT, EVALUATION_TEXT, LAB_PROMPTS } from './evaluation-text.ts';

/** Printable ASCII, newlines between paragraphs: every piece a tokenizer makes is valid UTF-8. */
const PLAIN_ASCII = /^[\x20-\x7e\n]+$/;

describe('the lab texts', () => {
  it('are plain ASCII, so wasm llama.cpp can report every token', () => {
    for (const text of [EVALUATION_PROMPT, EVALUATION_TEXT, ...LAB_PROMPTS]) {
      expect(text).toMatch(PLAIN_ASCII);
    }
  });

  it('give the whole first chapter: some 11,000 characters of prose, each paragraph once', () => {
    expect(EVALUATION_TEXT.length).toBeGreaterThan(10_500);
    expect(EVALUATION_TEXT.length).toBeLessThan(12_000);
    const paragraphs = EVALUATION_TEXT.split('\n\n');
    expect(paragraphs.length).toBeGreaterThan(20);
    // A repeated paragraph would be copied from the context, not predicted: too easy a text.
    expect(new Set(paragraphs).size).toBe(paragraphs.length);
    expect(EVALUATION_TEXT).toBe(EVALUATION_TEXT.trim());
  });

  it('has three short prompts', () => {
    expect(LAB_PROMPTS).toHaveLength(3);
    for (const prompt of LAB_PROMPTS) expect(prompt.length).toBeLessThan(60);
  });
});
