/**
 * llama.cpp's tokenizer (`llama_tokenize`, src/llama-vocab.cpp) in TypeScript, driven by a GGUF
 * file's own tokenizer metadata: the canonical token ids of a text, computed without the model.
 * wllama's wasm has no tokenize call, and the quantization lab must force exactly the tokens
 * llama.cpp would have made (a grammar of `<[id]>` terminals), so "close" is not enough: each rule
 * here mirrors one in llama.cpp, quirks included, and the tests compare against native llama.cpp.
 *
 * Supported: `tokenizer.ggml.model` `llama` (SentencePiece, `llm_tokenizer_spm`) and `gpt2`
 * (byte-level BPE, `llm_tokenizer_bpe`) with the pre-tokenizers of bpe-pre-tokenizers.ts.
 * Anything else is reported as unsupported, never approximated.
 *
 * SentencePiece here, as in llama.cpp, never yields the unknown token: a piece that is no token
 * becomes its UTF-8 bytes as `<0xNN>` tokens, and a vocabulary without those fails
 * (`no-byte-token`) where llama.cpp throws. `remove_extra_whitespaces` is read but, as in
 * llama.cpp, changes nothing for SentencePiece.
 *
 * Special tokens: the text is first cut around them as `tokenizer_st_partition` does, longest
 * text first: control and unknown tokens only with `parseSpecial` (default true, as wllama's
 * server tokenizes a prompt), user-defined tokens always. Which tokens are special follows the
 * file's `tokenizer.ggml.token_type` plus llama.cpp's corrections by token text (end-of-generation
 * and fill-in-the-middle texts become control tokens, gpt-oss' and o200k's become user-defined,
 * Gemma 4's `</s>` normal) and its whitespace stripping around special tokens by model name
 * (Phi-3, jina, ModernBERT). A JavaScript string reaches llama.cpp as UTF-8, so a lone surrogate
 * counts as U+FFFD, as TextEncoder writes it.
 *
 * Where this can still differ from llama.cpp (none of it touches text without special tokens):
 * - llama.cpp sorts special tokens of equal length in no fixed order; here by id. Only two
 *   overlapping special texts of one length could tell.
 * - Where a vocabulary holds several fill-in-the-middle texts of one kind and the file names
 *   none, llama.cpp promotes the first it meets in hash order; here all of them.
 * - Token texts are decoded as UTF-8; llama.cpp compares raw bytes. Only a vocabulary whose texts
 *   are not UTF-8 could tell.
 *
 * Which llama.cpp: the tests prove this against the one in node-llama-cpp 3.21.1. wllama 3.13.0's
 * wasm is another llama.cpp build. Its pre-tokenizer regexes are the same strings for every
 * pre-tokenizer here except the `gpt-4o` family and `tekken`, whose lookaheads there also count
 * combining marks (\p{M}) as letters: text with combining marks may be cut differently in the
 * browser for those two (ASCII text cannot). Its special-token rules lack the `<|code_prefix|>`
 * and `<|prefix|>` fill-in-the-middle texts and spell the Phi-3 name test differently.
 */
import type { GgufVocabulary, GgufVocabularyProblem } from './gguf-vocabulary.ts';
import { readGgufVocabulary } from './gguf-vocabulary.ts';
import { preTokenizerFor, splitWords, type PreTokenizer } from './bpe-pre-tokenizers.ts';

export interface TokenizeOptions {
  /** Add BOS (and EOS) where the model says to, as `llama_tokenize`'s `add_special`. */
  addSpecial: boolean;
  /**
   * Read control tokens written in the text (`<s>`, `<|im_end|>`) as those tokens, as
   * `parse_special`. Default true: llama.cpp's server (wllama) tokenizes prompts that way.
   * User-defined tokens are matched either way, as in llama.cpp.
   */
  parseSpecial?: boolean;
}

export type TokenizerProblem =
  /** `tokenizer.ggml.model` is not `llama` or `gpt2` (e.g. `bert`, `t5`, `rwkv`). */
  | { kind: 'unsupported-tokenizer'; model: string }
  /** A `gpt2` tokenizer whose `tokenizer.ggml.pre` is not implemented here. */
  | { kind: 'unsupported-pre-tokenizer'; pre: string }
  /** Metadata llama.cpp itself would refuse (e.g. BPE without merges). */
  | { kind: 'bad-vocabulary'; detail: string }
  /** SentencePiece byte fallback needs `<0xNN>` and the vocabulary lacks it: llama.cpp throws. */
  | { kind: 'no-byte-token'; byte: number }
  /** The model asks for BOS (or EOS) but has no such token: llama.cpp aborts. */
  | { kind: 'no-special-token'; token: 'bos' | 'eos' };

export type TokenizeResult =
  { ok: true; tokens: number[] } | { ok: false; reason: TokenizerProblem };

export interface CanonicalTokenizer {
  type: 'spm' | 'bpe';
  /** The BPE pre-tokenizer's name as the file gives it; null for SentencePiece or when absent. */
  pre: string | null;
  bosId: number | null;
  eosId: number | null;
  /** Whether `addSpecial` adds BOS first and EOS last (llama.cpp's `add_bos`, `add_eos`). */
  addBos: boolean;
  addEos: boolean;
  /** The tokens llama.cpp's `llama_tokenize(text, add_special, parse_special)` returns. */
  tokenize: (text: string, options: TokenizeOptions) => TokenizeResult;
}

export type CanonicalTokenizerSetup =
  { ok: true; tokenizer: CanonicalTokenizer } | { ok: false; reason: TokenizerProblem };

// ---------------------------------------------------------------------------------------------
// Token attributes (llama.h `llama_token_attr`) and llama.cpp's corrections by token text.

const ATTR = {
  unknown: 1 << 0,
  unused: 1 << 1,
  normal: 1 << 2,
  control: 1 << 3,
  userDefined: 1 << 4,
  byte: 1 << 5,
  lstrip: 1 << 7,
  rstrip: 1 << 8,
} as const;

/** `llama_token_type` (GGUF `tokenizer.ggml.token_type`) to attributes; other values: none. */
const ATTR_OF_TYPE: Readonly<Record<number, number>> = {
  1: ATTR.normal,
  2: ATTR.unknown,
  3: ATTR.control,
  4: ATTR.userDefined,
  5: ATTR.unused,
  6: ATTR.byte,
};

/**
 * Texts llama.cpp treats as end-of-generation and so forces to control tokens, whatever the
 * file says (`special_eog_ids`, and the EOT/EOM detection, whose names are all among these).
 */
const END_OF_GENERATION_TEXTS = [
  '<|eot_id|>',
  '<|im_end|>',
  '<|end|>',
  '<|return|>',
  '<|call|>',
  '<|flush|>',
  '<|calls|>',
  '<end_of_turn>',
  '<|endoftext|>',
  '</s>',
  '<|eom_id|>',
  '<EOT>',
  '_<EOT>',
  '[EOT]',
  '[EOS]',
  '<|end_of_text|>',
  '<end_of_utterance>',
  '<eos>',
  '<turn|>',
  '<|tool_response>',
  '<｜end▁of▁sentence｜>',
  '[e~[',
];

/**
 * Fill-in-the-middle token texts, by the metadata key that would name the token: where the key
 * is absent, llama.cpp looks the token up by these texts and forces it to a control token.
 */
const FIM_TEXTS: readonly (readonly [readonly string[], readonly string[]])[] = [
  [
    ['fim_pre', 'prefix'],
    [
      '<|fim_prefix|>',
      '<fim-prefix>',
      '<fim_prefix>',
      '<｜fim▁begin｜>',
      '<PRE>',
      '▁<PRE>',
      '<|code_prefix|>',
      '<|prefix|>',
    ],
  ],
  [
    ['fim_suf', 'suffix'],
    [
      '<|fim_suffix|>',
      '<fim-suffix>',
      '<fim_suffix>',
      '<｜fim▁hole｜>',
      '<SUF>',
      '▁<SUF>',
      '<|code_suffix|>',
      '<|suffix|>',
    ],
  ],
  [
    ['fim_mid', 'middle'],
    [
      '<|fim_middle|>',
      '<fim-middle>',
      '<fim_middle>',
      '<｜fim▁end｜>',
      '<MID>',
      '▁<MID>',
      '<|code_middle|>',
      '<|middle|>',
    ],
  ],
  [['fim_pad'], ['<|fim_pad|>', '<fim-pad>', '<fim_pad>', '<PAD>', '[PAD]']],
  [['fim_rep'], ['<|fim_repo|>', '<|repo_name|>', '<fim-repo>', '<REPO>', '<reponame>']],
  [['fim_sep'], ['<|file_sep|>']],
];

/** gpt-oss' tokens that llama.cpp always renders, as user-defined tokens. */
const ALWAYS_USER_DEFINED = ['<|channel|>', '<|message|>', '<|start|>', '<|constrain|>'];

interface Vocab {
  texts: string[];
  ids: Map<string, number>;
  attrs: Uint16Array;
  scores: Float32Array | null;
  /** Tokens matched in the text before tokenizing: longest text first. */
  specials: number[];
}

function buildVocab(vocabulary: GgufVocabulary): Vocab {
  const count = vocabulary.tokens.length;
  // llama.cpp renames empty texts so that every token has one.
  const texts = vocabulary.tokens.map((text, i) => (text === '' ? `[EMPTY_${i}]` : text));
  const ids = new Map<string, number>();
  // A repeated text: the later id wins the lookup (llama.cpp then refuses the file anyway).
  texts.forEach((text, i) => ids.set(text, i));
  const attrs = new Uint16Array(count);
  for (let i = 0; i < count; i++) {
    attrs[i] = vocabulary.tokenTypes
      ? (ATTR_OF_TYPE[vocabulary.tokenTypes[i] ?? 0] ?? 0)
      : ATTR.normal;
  }
  const setAttrs = (text: string, update: (attr: number) => number) => {
    const id = ids.get(text);
    if (id !== undefined) attrs[id] = update(attrs[id] ?? 0);
  };
  const addControl = (text: string) => setAttrs(text, (attr) => attr | ATTR.control);

  const stated = (name: string) => {
    const id = vocabulary.specialIds[name];
    return id !== undefined && id >= 0 && id < count;
  };
  for (const [keys, names] of FIM_TEXTS) {
    // llama.cpp takes the first match in hash order; vocabularies hold at most one of each list.
    if (!keys.some(stated)) names.forEach(addControl);
  }
  END_OF_GENERATION_TEXTS.forEach(addControl);
  ALWAYS_USER_DEFINED.forEach((text) => setAttrs(text, () => ATTR.userDefined));
  const has = (text: string) => ids.has(text);
  const hasCall = has('<|call|>') || has('<|calls|>');
  if (has('<|end|>') && ((has('<|return|>') && hasCall) || (hasCall && has('<|flush|>')))) {
    // gpt-oss (o200k_harmony) and Solar Open: `<|end|>` is not an end there.
    setAttrs('<|end|>', () => ATTR.userDefined);
  }
  if (has('<|tool_response>') && has('</s>')) setAttrs('</s>', () => ATTR.normal);

  const specialMask = ATTR.control | ATTR.userDefined | ATTR.unknown;
  const specials: number[] = [];
  for (let id = 0; id < count; id++) if ((attrs[id] ?? 0) & specialMask) specials.push(id);
  // llama.cpp's std::sort is not stable: equal lengths may come in another order there, which
  // matters only where two special texts of one length overlap in the text.
  specials.sort((a, b) => (texts[b]?.length ?? 0) - (texts[a]?.length ?? 0) || a - b);

  // Whitespace around special tokens, set by model name (llama.cpp's per-token attributes).
  const pre = vocabulary.pre ?? '';
  const architecture = vocabulary.architecture ?? '';
  const name = (vocabulary.modelName ?? '').toLowerCase();
  if (
    ['jina-v2-de', 'jina-v2-es', 'jina-v2-code'].some((s) => pre.includes(s)) ||
    ['nomic-bert-moe', 'jina-bert-v3'].some((s) => architecture.includes(s))
  ) {
    setAttrs('<mask>', (attr) => attr | ATTR.lstrip);
  } else if (name.includes('phi-3') || name.includes('phi3')) {
    for (const id of specials) attrs[id] = (attrs[id] ?? 0) | ATTR.rstrip;
    setAttrs('</s>', (attr) => attr | ATTR.rstrip);
    for (const text of ['<unk>', '<s>', '<|endoftext|>']) {
      setAttrs(text, (attr) => attr & ~ATTR.rstrip);
    }
  } else if (name.includes('modern-bert')) {
    setAttrs('[MASK]', (attr) => attr | ATTR.lstrip);
  }
  return { texts, ids, attrs, scores: vocabulary.scores, specials };
}

// ---------------------------------------------------------------------------------------------
// Special-token partition (`tokenizer_st_partition`).

type Fragment = number | { start: number; end: number };

/** C's isspace in the C locale, which llama.cpp's lstrip/rstrip use. */
const isCSpace = (code: number) => code === 0x20 || (code >= 0x09 && code <= 0x0d);

/** Cuts the text around every special token it contains, longest special texts first. */
function partition(text: string, vocab: Vocab, parseSpecial: boolean): Fragment[] {
  let fragments: Fragment[] = text.length > 0 ? [{ start: 0, end: text.length }] : [];
  for (const id of vocab.specials) {
    const attr = vocab.attrs[id] ?? 0;
    // Control and unknown tokens only where asked; user-defined tokens always.
    if (!parseSpecial && attr & (ATTR.control | ATTR.unknown)) continue;
    const special = vocab.texts[id] ?? '';
    const next: Fragment[] = [];
    for (const fragment of fragments) {
      if (typeof fragment === 'number') {
        next.push(fragment);
        continue;
      }
      let { start } = fragment;
      const { end } = fragment;
      for (;;) {
        const match = text.indexOf(special, start);
        if (match < 0 || match + special.length > end) {
          if (end > start) next.push({ start, end });
          break;
        }
        let leftEnd = match;
        if (attr & ATTR.lstrip)
          while (leftEnd > start && isCSpace(text.charCodeAt(leftEnd - 1))) leftEnd--;
        if (leftEnd > start) next.push({ start, end: leftEnd });
        next.push(id);
        start = match + special.length;
        if (attr & ATTR.rstrip) while (start < end && isCSpace(text.charCodeAt(start))) start++;
      }
    }
    fragments = next;
  }
  return fragments;
}

// ---------------------------------------------------------------------------------------------
// Shared pieces.

/** A binary heap; `before(a, b)` says a comes out first. */
class Heap<T> {
  private readonly items: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i] as T, items[parent] as T)) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let best = i;
        if (left < items.length && this.before(items[left] as T, items[best] as T)) best = left;
        if (right < items.length && this.before(items[right] as T, items[best] as T)) best = right;
        if (best === i) break;
        [items[i], items[best]] = [items[best] as T, items[i] as T];
        i = best;
      }
    }
    return top;
  }
}

/** The UTF-8 bytes of one code point. */
function utf8Bytes(codepoint: number, out: number[]): void {
  if (codepoint < 0x80) out.push(codepoint);
  else if (codepoint < 0x800) out.push(0xc0 | (codepoint >> 6), 0x80 | (codepoint & 0x3f));
  else if (codepoint < 0x10000) {
    out.push(0xe0 | (codepoint >> 12), 0x80 | ((codepoint >> 6) & 0x3f), 0x80 | (codepoint & 0x3f));
  } else {
    out.push(
      0xf0 | (codepoint >> 18),
      0x80 | ((codepoint >> 12) & 0x3f),
      0x80 | ((codepoint >> 6) & 0x3f),
      0x80 | (codepoint & 0x3f),
    );
  }
}

const stringUtf8 = (text: string): number[] => {
  const bytes: number[] = [];
  for (const char of text) utf8Bytes(char.codePointAt(0) ?? 0, bytes);
  return bytes;
};

/**
 * A JavaScript string as the UTF-8 llama.cpp receives: a lone surrogate cannot be encoded, and
 * TextEncoder (wllama, node-llama-cpp) writes U+FFFD for it.
 */
const wellFormed = (text: string) =>
  text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

class Failure extends Error {
  constructor(readonly problem: TokenizerProblem) {
    super(problem.kind);
  }
}

// ---------------------------------------------------------------------------------------------
// SentencePiece (`llm_tokenizer_spm_session`).

const hex2 = (byte: number) => byte.toString(16).toUpperCase().padStart(2, '0');

/** `llama_vocab::byte_to_token` for SentencePiece: `<0xNN>`, else the byte itself as a token. */
function spmByteToken(vocab: Vocab, byte: number): number {
  const id =
    vocab.ids.get(`<0x${hex2(byte)}>`) ??
    (byte < 0x80 ? vocab.ids.get(String.fromCharCode(byte)) : undefined);
  if (id === undefined) throw new Failure({ kind: 'no-byte-token', byte });
  return id;
}

interface SpmBigram {
  left: number;
  right: number;
  score: number;
  size: number;
}

function spmTokenize(text: string, vocab: Vocab, output: number[]): void {
  // Symbols are the text's characters (llama.cpp splits UTF-8 at character boundaries).
  const starts: number[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < text.length;) {
    const size = (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    starts.push(i);
    sizes.push(size);
    i += size;
  }
  const count = starts.length;
  const prev = Array.from({ length: count }, (_, i) => i - 1);
  const next = Array.from({ length: count }, (_, i) => (i + 1 < count ? i + 1 : -1));
  const symbol = (i: number) => text.slice(starts[i], (starts[i] ?? 0) + (sizes[i] ?? 0));

  // Highest score first; among equals the leftmost (llama.cpp's comparator).
  const queue = new Heap<SpmBigram>(
    (a, b) => a.score > b.score || (a.score === b.score && a.left < b.left),
  );
  const merges = new Map<string, readonly [number, number]>();
  const tryAdd = (left: number, right: number) => {
    if (left === -1 || right === -1) return;
    const merged = text.slice(
      starts[left],
      (starts[left] ?? 0) + (sizes[left] ?? 0) + (sizes[right] ?? 0),
    );
    const id = vocab.ids.get(merged);
    if (id === undefined) return;
    queue.push({ left, right, score: vocab.scores?.[id] ?? 0, size: merged.length });
    merges.set(merged, [left, right]);
  };
  for (let i = 1; i < count; i++) tryAdd(i - 1, i);

  for (let bigram = queue.pop(); bigram !== undefined; bigram = queue.pop()) {
    const { left, right } = bigram;
    const leftSize = sizes[left] ?? 0;
    const rightSize = sizes[right] ?? 0;
    // Stale: one side was merged since this pair was queued.
    if (leftSize === 0 || rightSize === 0 || leftSize + rightSize !== bigram.size) continue;
    sizes[left] = leftSize + rightSize;
    sizes[right] = 0;
    const after = next[right] ?? -1;
    next[left] = after;
    if (after >= 0) prev[after] = left;
    tryAdd(prev[left] ?? -1, left);
    tryAdd(left, after);
  }

  const resegment = (i: number) => {
    const piece = symbol(i);
    const id = vocab.ids.get(piece);
    if (id !== undefined) {
      output.push(id);
      return;
    }
    const parts = merges.get(piece);
    if (parts === undefined) {
      for (const byte of stringUtf8(piece)) output.push(spmByteToken(vocab, byte));
      return;
    }
    resegment(parts[0]);
    resegment(parts[1]);
  };
  for (let i = count > 0 ? 0 : -1; i !== -1; i = next[i] ?? -1) resegment(i);
}

// ---------------------------------------------------------------------------------------------
// Byte-level BPE (`llm_tokenizer_bpe_session`).

/** GPT-2's byte-to-character table: printable bytes stand for themselves, the rest from U+0100. */
const BYTE_CHARS: readonly string[] = (() => {
  const chars = new Array<string>(256);
  const printable = (b: number) =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let extra = 0;
  for (let b = 0; b < 256; b++) chars[b] = String.fromCharCode(printable(b) ? b : 256 + extra++);
  return chars;
})();

interface BpeBigram {
  left: number;
  right: number;
  text: string;
  rank: number;
}

interface Bpe {
  ranks: Map<string, number>;
  pre: PreTokenizer;
}

function bpeTokenize(text: string, vocab: Vocab, bpe: Bpe, output: number[]): void {
  const codepoints = Array.from(text, (char) => char.codePointAt(0) ?? 0);
  const finals: string[] = [];
  let offset = 0;
  for (const length of splitWords(codepoints, bpe.pre)) {
    const bytes: number[] = [];
    for (let i = offset; i < offset + length; i++) utf8Bytes(codepoints[i] ?? 0, bytes);
    offset += length;
    const word = bytes.map((b) => BYTE_CHARS[b] ?? '').join('');

    let symbols: string[];
    if (bpe.pre.ignoreMerges && vocab.ids.has(word)) symbols = [word];
    else symbols = Array.from(word);
    const next = symbols.map((_, i) => (i + 1 < symbols.length ? i + 1 : -1));
    const prev = symbols.map((_, i) => i - 1);

    // Lowest rank first; among equals the leftmost.
    const queue = new Heap<BpeBigram>(
      (a, b) => a.rank < b.rank || (a.rank === b.rank && a.left < b.left),
    );
    const tryAdd = (left: number, right: number) => {
      if (left === -1 || right === -1) return;
      const a = symbols[left] ?? '';
      const b = symbols[right] ?? '';
      const rank = bpe.ranks.get(`${a} ${b}`);
      if (rank !== undefined) queue.push({ left, right, text: a + b, rank });
    };
    for (let i = 1; i < symbols.length; i++) tryAdd(i - 1, i);
    for (let bigram = queue.pop(); bigram !== undefined; bigram = queue.pop()) {
      const { left, right } = bigram;
      const a = symbols[left] ?? '';
      const b = symbols[right] ?? '';
      if (a === '' || b === '' || a + b !== bigram.text) continue; // stale
      symbols[left] = bigram.text;
      symbols[right] = '';
      const after = next[right] ?? -1;
      next[left] = after;
      if (after >= 0) prev[after] = left;
      tryAdd(prev[left] ?? -1, left);
      tryAdd(left, after);
    }
    for (const symbol of symbols) if (symbol !== '') finals.push(symbol);
  }

  for (const symbol of finals) {
    const id = vocab.ids.get(symbol);
    if (id !== undefined) {
      output.push(id);
      continue;
    }
    // A merge whose result is not a token: llama.cpp looks up each UTF-8 byte of the symbol's
    // (byte-encoded) text as a one-byte token and silently drops those it cannot find.
    for (const byte of stringUtf8(symbol)) {
      const single = byte < 0x80 ? vocab.ids.get(String.fromCharCode(byte)) : undefined;
      if (single !== undefined) output.push(single);
    }
  }
}

/** Merge ranks by `"left right"`; the first of repeated merges keeps its rank, as in llama.cpp. */
function mergeRanks(merges: readonly string[]): Map<string, number> {
  const ranks = new Map<string, number>();
  merges.forEach((merge, rank) => {
    // llama.cpp splits at the first space after the first character; other merges can never
    // match, since no symbol holds a space.
    if (merge.indexOf(' ', 1) > 0 && !ranks.has(merge)) ranks.set(merge, rank);
  });
  return ranks;
}

// ---------------------------------------------------------------------------------------------

/** A special id as llama.cpp settles it: the file's value when in range, else the default. */
function specialId(
  vocabulary: GgufVocabulary,
  key: string,
  fallback: number | null,
): number | null {
  const count = vocabulary.tokens.length;
  const base = fallback !== null && fallback < count ? fallback : null;
  const stated = vocabulary.specialIds[key];
  return stated !== undefined && stated >= 0 && stated < count ? stated : base;
}

/**
 * Prepares llama.cpp's tokenizer for a vocabulary read from a GGUF file. Fails with a reason for
 * a tokenizer type or BPE pre-tokenizer that is not implemented, rather than guess.
 */
export function createCanonicalTokenizer(vocabulary: GgufVocabulary): CanonicalTokenizerSetup {
  const type = vocabulary.model === 'llama' ? 'spm' : vocabulary.model === 'gpt2' ? 'bpe' : null;
  if (type === null) {
    return { ok: false, reason: { kind: 'unsupported-tokenizer', model: vocabulary.model } };
  }
  if (vocabulary.tokens.length === 0) {
    return { ok: false, reason: { kind: 'bad-vocabulary', detail: 'no tokens' } };
  }

  let bpe: Bpe | null = null;
  if (type === 'bpe') {
    const pre = preTokenizerFor(vocabulary.pre);
    if (pre === null) {
      return {
        ok: false,
        reason: { kind: 'unsupported-pre-tokenizer', pre: vocabulary.pre ?? '' },
      };
    }
    if (vocabulary.merges === null) {
      return {
        ok: false,
        reason: { kind: 'bad-vocabulary', detail: 'a BPE vocabulary without merges' },
      };
    }
    bpe = { ranks: mergeRanks(vocabulary.merges), pre };
  }

  const vocab = buildVocab(vocabulary);
  const bosId = specialId(
    vocabulary,
    'bos',
    type === 'spm' ? 1 : bpe?.pre.noDefaultBos ? null : 11,
  );
  const eosId = specialId(vocabulary, 'eos', type === 'spm' ? 2 : 11);
  const addBos = vocabulary.addBos ?? (type === 'spm' || (bpe?.pre.addBosByDefault ?? false));
  const addEos = vocabulary.addEos ?? false;
  // SentencePiece adds a leading space unless the file says not to; llama.cpp's BPE never does.
  const addSpacePrefix = type === 'spm' && (vocabulary.addSpacePrefix ?? true);

  const tokenize = (text: string, options: TokenizeOptions): TokenizeResult => {
    const input = wellFormed(text);
    const output: number[] = [];
    try {
      if (options.addSpecial && addBos) {
        if (bosId === null) throw new Failure({ kind: 'no-special-token', token: 'bos' });
        output.push(bosId);
      }
      // SentencePiece prefixes a space to the first text and to each text after a special token.
      let afterSpecial = true;
      for (const fragment of partition(input, vocab, options.parseSpecial ?? true)) {
        if (typeof fragment === 'number') {
          output.push(fragment);
          afterSpecial = true;
          continue;
        }
        const piece = input.slice(fragment.start, fragment.end);
        if (bpe) {
          bpeTokenize(piece, vocab, bpe, output);
        } else {
          const prefixed = addSpacePrefix && afterSpecial ? ` ${piece}` : piece;
          spmTokenize(prefixed.replaceAll(' ', '▁'), vocab, output);
        }
        afterSpecial = false;
      }
      if (options.addSpecial && addEos) {
        if (eosId === null) throw new Failure({ kind: 'no-special-token', token: 'eos' });
        output.push(eosId);
      }
    } catch (cause) {
      if (cause instanceof Failure) return { ok: false, reason: cause.problem };
      throw cause;
    }
    return { ok: true, tokens: output };
  };

  return {
    ok: true,
    tokenizer: {
      type,
      pre: type === 'bpe' ? vocabulary.pre : null,
      bosId,
      eosId,
      addBos,
      addEos,
      tokenize,
    },
  };
}

export type CanonicalTokenizerLoad =
  | { ok: true; tokenizer: CanonicalTokenizer }
  | {
      ok: false;
      reason: TokenizerProblem | { kind: 'unreadable-gguf'; problem: GgufVocabularyProblem };
    };

/** Reads a GGUF file's tokenizer metadata (its header only) and prepares its tokenizer. */
export async function loadCanonicalTokenizer(file: Blob): Promise<CanonicalTokenizerLoad> {
  const read = await readGgufVocabulary(file);
  if (!read.ok) return { ok: false, reason: { kind: 'unreadable-gguf', problem: read.problem } };
  return createCanonicalTokenizer(read.vocabulary);
}
