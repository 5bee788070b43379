/**
 * A GBNF grammar (llama.cpp's grammar format) that admits exactly one text or one token
 * sequence: the way the quantization lab forces a model through a text while it reports its own
 * log-probabilities.
 */

/**
 * `text` as a GBNF string literal. Printable ASCII stands as itself, except `"` and `\`, which
 * are escaped; every other character (control characters, newlines, anything beyond ASCII, emoji)
 * is written as its code point (`\xHH`, `\uHHHH`, `\UHHHHHHHH`), which llama.cpp's grammar
 * parser reads back as that character. So no text can end the literal early or inject a rule.
 */
export function gbnfLiteral(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (code >= 0x20 && code < 0x7f) out += char;
    else if (code <= 0xff) out += `\\x${hex(code, 2)}`;
    else if (code <= 0xffff) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return `${out}"`;
}

const hex = (code: number, digits: number) => code.toString(16).toUpperCase().padStart(digits, '0');

/** The grammar whose only sentence is `text`. */
export const textGrammar = (text: string): string => `root ::= ${gbnfLiteral(text)}`;

/** The grammar whose only sentence is these tokens, by id (llama.cpp's `<[id]>` terminals). */
export function tokenGrammar(tokens: readonly number[]): string {
  if (tokens.length === 0) throw new RangeError('a token grammar needs at least one token');
  for (const token of tokens) {
    if (!Number.isSafeInteger(token) || token < 0) throw new RangeError(`bad token id ${token}`);
  }
  return `root ::= ${tokens.map((token) => `<[${token}]>`).join(' ')}`;
}
