/**
 * A small byte-level BPE vocabulary (GPT-2 style: 256 byte tokens, merges learned from a text, a
 * few special tokens) written as a vocabulary-only GGUF. No BPE model ships with the tests, and
 * each `tokenizer.ggml.pre` needs a file of its own, so the tests make them: native llama.cpp
 * loads the file (vocab_only) and tokenizes, and the TypeScript tokenizer must agree.
 */
import { encodeGguf, tinyLlamaHeader, type GgufValue } from './gguf-writer.ts';

/** GPT-2's byte-to-character table (printable bytes as themselves, the others from U+0100). */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const table: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || b >= 0xae;
    table.push(String.fromCharCode(printable ? b : 256 + extra++));
  }
  return table;
})();

const encoder = new TextEncoder();
const byteLevel = (text: string) =>
  Array.from(encoder.encode(text), (b) => BYTE_TO_CHAR[b] ?? '').join('');

/**
 * Learns `count` merges from `corpus`, most frequent pair first (ties broken by text, so the
 * result is the same on every run). Merges are learned across whole lines (a run of newlines
 * stays with the line before it), not within words, so that many cross the boundaries some
 * pre-tokenizer draws (letter and combining mark, word and space, punctuation and newline, digit
 * and digit): a pre-tokenizer that cuts elsewhere then yields other tokens, so a test can tell
 * the pre-tokenizers apart.
 */
export function learnMerges(corpus: string, count: number): [string, string][] {
  const frequency = new Map<string, number>();
  for (const line of corpus.split(/(?<=\n)(?=[^\r\n])/)) {
    const encoded = byteLevel(line);
    frequency.set(encoded, (frequency.get(encoded) ?? 0) + 1);
  }
  const words = [...frequency].map(([word, n]) => ({ symbols: Array.from(word), n }));
  // Pair counts, and which lines hold each pair, kept up to date merge by merge.
  const pairCounts = new Map<string, number>();
  const pairLines = new Map<string, Set<number>>();
  const recount = (index: number, sign: 1 | -1) => {
    const { symbols, n } = words[index] ?? { symbols: [], n: 0 };
    for (let i = 1; i < symbols.length; i++) {
      const key = `${symbols[i - 1]} ${symbols[i]}`;
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + sign * n);
      if (sign > 0) {
        let lines = pairLines.get(key);
        if (!lines) pairLines.set(key, (lines = new Set()));
        lines.add(index);
      }
    }
  };
  words.forEach((_, index) => recount(index, 1));

  const merges: [string, string][] = [];
  while (merges.length < count) {
    let best: string | null = null;
    let bestCount = 1; // a pair seen once is not worth a merge
    for (const [key, n] of pairCounts) {
      if (n > bestCount || (n === bestCount && best !== null && key < best)) {
        best = key;
        bestCount = n;
      }
    }
    if (best === null) break;
    const [left = '', right = ''] = best.split(' ');
    merges.push([left, right]);
    for (const index of pairLines.get(best) ?? []) {
      const word = words[index];
      if (!word) continue;
      recount(index, -1);
      const merged: string[] = [];
      for (let i = 0; i < word.symbols.length; i++) {
        if (word.symbols[i] === left && word.symbols[i + 1] === right) {
          merged.push(left + right);
          i++;
        } else merged.push(word.symbols[i] ?? '');
      }
      word.symbols = merged;
      recount(index, 1);
    }
    pairCounts.delete(best);
    pairLines.delete(best);
  }
  return merges;
}

export interface SyntheticBpe {
  tokens: string[];
  tokenTypes: number[];
  merges: string[];
  bosId: number;
  eosId: number;
}

const TOKEN_TYPE = { normal: 1, control: 3, userDefined: 4 } as const;

/**
 * Special tokens and their types in the file. Several probe llama.cpp's corrections by text:
 * `<|channel|>` and `<|message|>` become user-defined (gpt-oss), `<|end|>` too beside
 * `<|return|>` and `<|call|>` (o200k_harmony), `<|eot_id|>` and `<|fim_prefix|>` become
 * control tokens although typed normal, `</s>` turns normal beside `<|tool_response>` (Gemma 4),
 * and `<mask>` strips spaces on its left for the jina pre-tokenizers.
 */
export const SPECIAL_TOKENS: readonly (readonly [string, keyof typeof TOKEN_TYPE])[] = [
  ['<|endoftext|>', 'control'],
  ['<|begin_of_text|>', 'control'],
  ['<|im_start|>', 'control'],
  ['<|im_end|>', 'control'],
  ['<think>', 'userDefined'],
  ['<|channel|>', 'control'],
  ['<|message|>', 'control'],
  ['<|end|>', 'control'],
  ['<|return|>', 'control'],
  ['<|call|>', 'control'],
  ['<|eot_id|>', 'normal'],
  ['<|fim_prefix|>', 'normal'],
  ['<mask>', 'control'],
  ['</s>', 'control'],
  ['<|tool_response>', 'control'],
];

/**
 * Short texts that straddle the boundaries pre-tokenizers disagree on. Each gets merges of its
 * own, ranked before all learned ones, that join it into one token: where a pre-tokenizer keeps
 * it in one word it becomes one token, where another cuts it, it does not.
 */
const STRADDLERS = [
  'e\u0301', // letter and combining mark
  '\n\n',
  '\n\n\n',
  '\r\n',
  ' \n',
  '.\n',
  ':\n',
  '}\n',
  '   ',
  '\t\t',
  ' \t',
  '123',
  '1234',
  ' 1',
  ' 12',
  'a1',
  "'S",
  "'LL",
  'pR',
  'PS',
  'LH',
  ' (',
  '((',
  '!!',
  '?.',
  '$1',
  '日本',
  '、東',
  '。中',
  '🦙🎉',
  'n\u00a0b',
  'o ',
  '—',
];

/**
 * The vocabulary: bytes, merge results, whole words no merge reaches (so that llama.cpp's
 * `ignore_merges` shows), two merges whose result is not a token (llama.cpp's quirk of falling
 * back to single bytes), and special tokens of each kind.
 */
export function syntheticBpe(corpus: string, mergeCount: number): SyntheticBpe {
  const straddling = STRADDLERS.flatMap((text) => {
    const chars = Array.from(byteLevel(text));
    return chars
      .slice(1)
      .map((char, i): [string, string] => [chars.slice(0, i + 1).join(''), char]);
  });
  const learned = [...straddling, ...learnMerges(corpus, mergeCount)];
  const tokens = [...BYTE_TO_CHAR];
  const tokenTypes: number[] = tokens.map(() => TOKEN_TYPE.normal);
  const known = new Set(tokens);
  const add = (text: string, type: number = TOKEN_TYPE.normal) => {
    if (known.has(text)) return;
    known.add(text);
    tokens.push(text);
    tokenTypes.push(type);
  };
  for (const [left, right] of learned) add(left + right);
  for (const word of [' Wonderland', ' marmalade', ' curiosity', ' Rabbit', 'Alice']) {
    add(byteLevel(word));
  }
  const merges = learned.map(([left, right]) => `${left} ${right}`);
  // Merges into texts that are no token, lowest priority: "qu" and "ø" as byte-level text.
  for (const [left, right] of [
    ['q', 'u'],
    [byteLevel('ø').slice(0, 1), byteLevel('ø').slice(1)],
  ] as const) {
    if (!known.has(left + right)) merges.push(`${left} ${right}`);
  }
  for (const [text, type] of SPECIAL_TOKENS) add(text, TOKEN_TYPE[type]);
  const eosId = tokens.indexOf('<|endoftext|>');
  const bosId = tokens.indexOf('<|begin_of_text|>');
  return { tokens, tokenTypes, merges, bosId, eosId };
}

/** A vocabulary-only GGUF for `bpe` that declares the pre-tokenizer `pre`. */
export function syntheticBpeGguf(
  bpe: SyntheticBpe,
  pre: string,
  flags: { addBos?: boolean; addEos?: boolean } = {},
): Uint8Array {
  const metadata = tinyLlamaHeader(`synthetic-bpe-${pre}`);
  const entries: [string, GgufValue][] = [
    ['llama.vocab_size', { type: 'u32', value: bpe.tokens.length }],
    ['tokenizer.ggml.model', { type: 'string', value: 'gpt2' }],
    ['tokenizer.ggml.pre', { type: 'string', value: pre }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: bpe.tokens }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: bpe.tokenTypes }],
    ['tokenizer.ggml.merges', { type: 'string[]', value: bpe.merges }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: bpe.bosId }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: bpe.eosId }],
  ];
  if (flags.addBos !== undefined) {
    entries.push(['tokenizer.ggml.add_bos_token', { type: 'bool', value: flags.addBos }]);
  }
  if (flags.addEos !== undefined) {
    entries.push(['tokenizer.ggml.add_eos_token', { type: 'bool', value: flags.addEos }]);
  }
  for (const [key, value] of entries) metadata.set(key, value);
  return encodeGguf(metadata);
}
