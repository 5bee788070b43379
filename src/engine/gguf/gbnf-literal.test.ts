import { describe, expect, it } from 'vitest';
import { gbnfLiteral, textGrammar, tokenGrammar } from './gbnf-literal.ts';

/** Reads a literal back the way llama.cpp's grammar parser does (parse_char in llama-grammar.cpp). */
function readBack(literal: string): string {
  expect(literal.startsWith('"') && literal.endsWith('"')).toBe(true);
  const body = literal.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body.charAt(i);
    expect(c).not.toBe('"'); // an unescaped quote would end the literal early
    if (c !== '\\') {
      out += c;
      continue;
    }
    const kind = body.charAt(++i);
    const width = { x: 2, u: 4, U: 8 }[kind];
    if (width) {
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 1 + width), 16));
      i += width;
    } else {
      expect(['"', '\\']).toContain(kind);
      out += kind;
    }
  }
  return out;
}

describe('gbnfLiteral', () => {
  it.each([
    ['plain text', 'Once upon a time, there was a girl.'],
    ['quotes and backslashes', 'She said "hi" \\ and left\\'],
    ['newlines and tabs', 'line one\nline two\r\n\tindented'],
    ['emoji and accents', 'café 😀 naïve — 中文'],
    ['GBNF metacharacters', 'root ::= "x" | [a-z]* (y)+ ? {2,3} # comment <[12]> ::= \\"'],
    ['a lone quote', '"'],
    ['control characters', '\u0000\u0001\u007f\u0080'],
  ])('escapes %s so that it reads back as itself', (_, text) => {
    const literal = gbnfLiteral(text);
    expect(readBack(literal)).toBe(text);
    // Only printable ASCII goes into the grammar, so no byte can be misread.
    expect(literal).toMatch(/^[\x20-\x7e]*$/);
  });

  it('writes code points beyond the basic plane as \\U', () => {
    expect(gbnfLiteral('😀')).toBe('"\\U0001F600"');
    expect(gbnfLiteral('é\n')).toBe('"\\xE9\\x0A"');
  });

  it('makes one rule', () => {
    expect(textGrammar('a "b"')).toBe('root ::= "a \\"b\\""');
  });
});

describe('tokenGrammar', () => {
  it('lists the tokens in order', () => {
    expect(tokenGrammar([383, 286, 0])).toBe('root ::= <[383]> <[286]> <[0]>');
  });

  it('refuses ids that are not token ids', () => {
    expect(() => tokenGrammar([])).toThrow(RangeError);
    expect(() => tokenGrammar([1.5])).toThrow(RangeError);
    expect(() => tokenGrammar([-1])).toThrow(RangeError);
  });
});
