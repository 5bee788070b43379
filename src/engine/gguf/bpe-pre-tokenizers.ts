/**
 * The pre-tokenizers of llama.cpp's byte-level BPE (`llm_tokenizer_bpe` in src/llama-vocab.cpp and
 * `unicode_regex_split` in src/unicode.cpp): how a text is cut into words before merges run.
 *
 * llama.cpp does not run the regexes of Hugging Face's tokenizer.json as written. Four common ones
 * (GPT-2's, Llama 3's, Qwen2's, Qwen3.5's) have hand-written splitters, ported here as such. The
 * others run in C++ `std::regex` on a "collapsed" copy of the text where every character above
 * ASCII stands as one byte for its Unicode category (any letter is 0xD2, any number 0xD1…), or,
 * for regexes without `\p{…}`, on the code points with non-ASCII whitespace turned into a vertical
 * tab. Both tricks change what the regexes match (a Greek capital is "lowercase" for GPT-4o's
 * regex), so this module reproduces the tricks rather than the regexes' intent.
 *
 * Character categories come from the JavaScript engine's Unicode tables; llama.cpp's come from
 * its own copy of UnicodeData.txt. The two agree except on characters one of them does not know
 * yet (a Unicode version apart).
 *
 * The regexes are llama.cpp's (node-llama-cpp 3.21.1's copy); canonical-tokenizer.ts says where
 * wllama's build differs.
 */

/** llama.cpp's `unicode_cpt_flags` bits (src/unicode.h). */
const FLAG = {
  undefined: 0x0001,
  number: 0x0002,
  letter: 0x0004,
  separator: 0x0008,
  mark: 0x0010,
  punctuation: 0x0020,
  symbol: 0x0040,
  control: 0x0080,
  whitespace: 0x0100,
} as const;

const CATEGORY =
  /(\p{N})|(\p{L})|(\p{Z})|(\p{M})|(\p{P})|(\p{S})|(\p{Cn})|([\p{Cc}\p{Cf}\p{Co}\p{Cs}])/u;
const CATEGORY_FLAGS = [
  FLAG.number,
  FLAG.letter,
  FLAG.separator,
  FLAG.mark,
  FLAG.punctuation,
  FLAG.symbol,
  FLAG.undefined,
  FLAG.control,
];
/** Unicode's White_Space, which is llama.cpp's whitespace set (not JavaScript's `\s`). */
const WHITE_SPACE = /\p{White_Space}/u;

/** Flags by code point, filled on first use (0: not looked up yet; every real value is > 0). */
let flagCache: Uint16Array | null = null;

/** llama.cpp's flags of a code point: one category bit, plus `whitespace`. */
function codepointFlags(codepoint: number): number {
  flagCache ??= new Uint16Array(0x110000);
  const cached = flagCache[codepoint];
  if (cached) return cached;
  const char = String.fromCodePoint(codepoint);
  const match = CATEGORY.exec(char);
  let flags: number = FLAG.undefined;
  // The one group that matched names the category.
  for (let group = 1; match && group < match.length; group++) {
    if (match[group] !== undefined) flags = CATEGORY_FLAGS[group - 1] ?? FLAG.undefined;
  }
  if (WHITE_SPACE.test(char)) flags |= FLAG.whitespace;
  flagCache[codepoint] = flags;
  return flags;
}

/** The text a splitter cuts, shared by every splitter of one pre-tokenizer. */
interface SplitInput {
  codepoints: readonly number[];
  /** Built on demand (see `collapsedText` and `wideText`). */
  collapsed: string | null;
  wide: WideText | null;
}

/**
 * A splitter takes the lengths (in code points) of the pieces cut so far, in order, and cuts
 * each further: llama.cpp applies a pre-tokenizer's regexes one after another this way.
 */
type Splitter = (input: SplitInput, pieces: readonly number[]) => number[];

// ---------------------------------------------------------------------------------------------
// Hand-written splitters (src/unicode.cpp `unicode_regex_split_custom_*`), ported.
// They read flags only inside the current piece: past its end a position has no flags at all.

const isContractionTail = (a: number, b: number | undefined, caseless: boolean): number => {
  const lower = (c: number | undefined) =>
    caseless && c !== undefined && c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
  const x = lower(a);
  // 's 't 'm 'd: two code points; 're 've 'll: three.
  if (x === 0x73 || x === 0x74 || x === 0x6d || x === 0x64) return 2;
  const y = lower(b);
  if ((x === 0x72 && y === 0x65) || (x === 0x76 && y === 0x65) || (x === 0x6c && y === 0x6c)) {
    return 3;
  }
  return 0;
};

/** GPT-2's `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`. */
const gpt2Splitter: Splitter = ({ codepoints }, pieces) => {
  const out: number[] = [];
  let start = 0;
  for (const length of pieces) {
    const end = start + length;
    const cpt = (pos: number) => (pos >= start && pos < end ? codepoints[pos] : undefined);
    const flags = (pos: number) => {
      const c = cpt(pos);
      return c === undefined ? 0 : codepointFlags(c);
    };
    let previousEnd = start;
    const emit = (to: number) => {
      const size = to - previousEnd;
      if (size > 0) out.push(size);
      previousEnd = to;
      return size;
    };
    const wordish = FLAG.whitespace | FLAG.letter | FLAG.number;

    for (let pos = start; pos < end;) {
      const c = cpt(pos) ?? 0;
      const f = flags(pos);
      if (c === 0x27 && pos + 1 < end) {
        const tail = isContractionTail(cpt(pos + 1) ?? 0, pos + 2 < end ? cpt(pos + 2) : -1, false);
        if (tail > 0) {
          pos += emit(pos + tail);
          continue;
        }
      }
      let f2 = c === 0x20 ? flags(pos + 1) : f;
      if (f2 & FLAG.letter) {
        if (c === 0x20) pos++;
        while (f2 & FLAG.letter) f2 = flags(++pos);
        emit(pos);
        continue;
      }
      if (f2 & FLAG.number) {
        if (c === 0x20) pos++;
        while (f2 & FLAG.number) f2 = flags(++pos);
        emit(pos);
        continue;
      }
      if (!(f2 & wordish) && f2) {
        if (c === 0x20) pos++;
        while (!(f2 & wordish) && f2) f2 = flags(++pos);
        emit(pos);
        continue;
      }
      let spaces = 0;
      while (flags(pos + spaces) & FLAG.whitespace) spaces++;
      if (spaces > 1 && cpt(pos + spaces) !== undefined) {
        // \s+(?!\S): leave the last space to the word that follows
        pos += spaces - 1;
        emit(pos);
        continue;
      }
      if (spaces > 0) {
        pos += spaces;
        emit(pos);
        continue;
      }
      emit(++pos);
    }
    start = end;
  }
  return out;
};

/**
 * Llama 3's `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
 * ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`, and its relatives: Qwen2 cuts digits one
 * by one, Qwen3.5 also counts combining marks (\p{M}) as letters.
 */
const llama3Splitter =
  (digitGroup: number, marksAreLetters: boolean): Splitter =>
  ({ codepoints }, pieces) => {
    const out: number[] = [];
    const letterish = marksAreLetters ? FLAG.letter | FLAG.mark : FLAG.letter;
    const wordish = FLAG.whitespace | FLAG.number | letterish;
    let start = 0;
    for (const length of pieces) {
      const end = start + length;
      const cpt = (pos: number) => (pos >= start && pos < end ? codepoints[pos] : undefined);
      const flags = (pos: number) => {
        const c = cpt(pos);
        return c === undefined ? 0 : codepointFlags(c);
      };
      let previousEnd = start;
      const emit = (to: number) => {
        const size = to - previousEnd;
        if (size > 0) out.push(size);
        previousEnd = to;
        return size;
      };
      const isCrLf = (c: number | undefined) => c === 0x0d || c === 0x0a;

      for (let pos = start; pos < end;) {
        const c = cpt(pos) ?? 0;
        const f = flags(pos);
        if (c === 0x27 && pos + 1 < end) {
          const tail = isContractionTail(
            cpt(pos + 1) ?? 0,
            pos + 2 < end ? cpt(pos + 2) : -1,
            true,
          );
          if (tail > 0) {
            pos += emit(pos + tail);
            continue;
          }
        }
        if (!(isCrLf(c) || f & FLAG.number) && (f & letterish || flags(pos + 1) & letterish)) {
          pos++;
          while (flags(pos) & letterish) pos++;
          emit(pos);
          continue;
        }
        if (f & FLAG.number) {
          let groupStart = pos;
          while (flags(pos) & FLAG.number) {
            if (++pos - groupStart >= digitGroup) {
              emit(pos);
              groupStart = pos;
            }
          }
          emit(pos);
          continue;
        }
        let f2 = c === 0x20 ? flags(pos + 1) : f;
        // The guard reads the current character's flags, as llama.cpp's does: a lone space at a
        // piece's end takes this branch and becomes a word of its own.
        if (!(f2 & wordish) && f) {
          if (c === 0x20) pos++;
          while (!(f2 & wordish) && f2) f2 = flags(++pos);
          while (isCrLf(cpt(pos))) pos++;
          emit(pos);
          continue;
        }
        let spaces = 0;
        let afterLastNewline = 0;
        while (flags(pos + spaces) & FLAG.whitespace) {
          if (isCrLf(cpt(pos + spaces))) afterLastNewline = pos + spaces + 1;
          spaces++;
        }
        if (afterLastNewline > 0) {
          pos = afterLastNewline;
          emit(pos);
          continue;
        }
        if (spaces > 1 && cpt(pos + spaces) !== undefined) {
          pos += spaces - 1;
          emit(pos);
          continue;
        }
        if (spaces > 0) {
          pos += spaces;
          emit(pos);
          continue;
        }
        emit(++pos);
      }
      start = end;
    }
    return out;
  };

/** `[^\n]+|[\n]+`: runs of newlines and runs of everything else. */
const newlineSplitter: Splitter = ({ codepoints }, pieces) => {
  const out: number[] = [];
  let start = 0;
  for (const length of pieces) {
    const end = start + length;
    for (let pos = start; pos < end;) {
      const isNewline = codepoints[pos] === 0x0a;
      const runStart = pos;
      while (pos < end && (codepoints[pos] === 0x0a) === isNewline) pos++;
      out.push(pos - runStart);
    }
    start = end;
  }
  return out;
};

// ---------------------------------------------------------------------------------------------
// Regex splitters: llama.cpp's std::regex fallback, on the same two views of the text.

/** The collapsed view's byte for each category (src/unicode.cpp `k_ucat_cpt`). */
const COLLAPSED = {
  other: 0xd0,
  number: 0xd1,
  letter: 0xd2,
  punctuation: 0xd3,
  mark: 0xd4,
  symbol: 0xd5,
  whitespace: 0x0b,
} as const;

/**
 * One character per code point: ASCII as itself, anything else as its category's byte, so that
 * `\p{L}` can be the class `[A-Za-z\xD2]` and std::regex (or a non-Unicode JS regex) can run.
 */
function collapsedText(input: SplitInput): string {
  if (input.collapsed !== null) return input.collapsed;
  const chars = input.codepoints.map((c) => {
    if (c < 0x80) return c;
    const flags = codepointFlags(c);
    if (flags & FLAG.whitespace) return COLLAPSED.whitespace;
    if (flags & FLAG.number) return COLLAPSED.number;
    if (flags & FLAG.letter) return COLLAPSED.letter;
    if (flags & FLAG.punctuation) return COLLAPSED.punctuation;
    if (flags & FLAG.mark) return COLLAPSED.mark;
    if (flags & FLAG.symbol) return COLLAPSED.symbol;
    return COLLAPSED.other;
  });
  let text = '';
  for (let i = 0; i < chars.length; i += 8192) {
    text += String.fromCharCode(...chars.slice(i, i + 8192));
  }
  input.collapsed = text;
  return text;
}

interface WideText {
  text: string;
  /** UTF-16 offset of each code point, and of the end. */
  unitOf: Int32Array;
  /** Code point index of each UTF-16 offset that starts one. */
  codepointAt: Int32Array;
}

/** The code points as they are, except non-ASCII whitespace, which becomes a vertical tab. */
function wideText(input: SplitInput): WideText {
  if (input.wide !== null) return input.wide;
  const { codepoints } = input;
  const unitOf = new Int32Array(codepoints.length + 1);
  let text = '';
  let units = 0;
  codepoints.forEach((c, i) => {
    unitOf[i] = units;
    const shown = c > 0x7f && codepointFlags(c) & FLAG.whitespace ? 0x0b : c;
    text += String.fromCodePoint(shown);
    units += shown > 0xffff ? 2 : 1;
  });
  unitOf[codepoints.length] = units;
  const codepointAt = new Int32Array(units + 1);
  for (let i = 0; i <= codepoints.length; i++) codepointAt[unitOf[i] ?? 0] = i;
  input.wide = { text, unitOf, codepointAt };
  return input.wide;
}

/**
 * `std::regex_iterator` over each piece on its own (a piece's end is the end of the input, for
 * `$` and lookaheads), keeping the matches and the gaps between them as pieces.
 */
const regexSplitter =
  (view: 'collapsed' | 'wide', pattern: string): Splitter =>
  (input, pieces) => {
    // Collapsed text is bytes: no `u` flag, so `\xD2` is one character and classes stay simple.
    const regex = new RegExp(pattern, view === 'wide' ? 'gu' : 'g');
    const out: number[] = [];
    const wide = view === 'wide' ? wideText(input) : null;
    const collapsed = view === 'collapsed' ? collapsedText(input) : '';
    let start = 0;
    for (const length of pieces) {
      const end = start + length;
      const text = wide
        ? wide.text.slice(wide.unitOf[start], wide.unitOf[end])
        : collapsed.slice(start, end);
      const base = wide ? (wide.unitOf[start] ?? 0) : 0;
      // Offsets in code points from the piece's start.
      const at = (unit: number) => (wide ? (wide.codepointAt[base + unit] ?? 0) - start : unit);
      let consumed = 0;
      regex.lastIndex = 0;
      for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
        // Every pattern below consumes at least one character; an empty match would loop.
        if (match[0].length === 0) throw new Error(`empty match for /${pattern}/`);
        const from = at(match.index);
        const to = at(match.index + match[0].length);
        if (from > consumed) out.push(from - consumed);
        out.push(to - from);
        consumed = to;
      }
      if (consumed < length) out.push(length - consumed);
      start = end;
    }
    return out;
  };

/** `\p{…}` classes over the collapsed view (src/unicode.cpp `k_ucat_map`, plus each category byte). */
const L = 'A-Za-z\\xD2';
const N = '0-9\\xD1';
const P = '!-#%-*,-/:;?@\\[-\\]_{}\\xD3';
const S = '$+<->^`|~\\xD5';
const M = '\\xD4';
/** std::regex's `\s` in the C locale; in both views any other whitespace is already 0x0B. */
const WS = '\\t-\\r ';
const CONTRACTIONS = "'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]";
/** `(?=[\p{L}])([^a-z])`: a "capital" of the collapsed view, and its "lowercase" twin. */
const UPPER = `(?:(?=[${L}])[^a-z])`;
const LOWER = `(?:(?=[${L}])[^A-Z])`;
const CJK = '\\u4E00-\\u9FA5\\u0800-\\u4E00\\uAC00-\\uD7FF';

const collapsed = (pattern: string) => regexSplitter('collapsed', pattern);
const wide = (pattern: string) => regexSplitter('wide', pattern);

/** What the common tail of the llama-3-like regexes does with spaces and newlines. */
const SPACE_TAIL = `[${WS}]*[\\r\\n]+|[${WS}]+(?![^${WS}])|[${WS}]+`;

// ---------------------------------------------------------------------------------------------
// The pre-tokenizers by `tokenizer.ggml.pre`, as llama.cpp (src/llama-vocab.cpp) maps them.

export interface PreTokenizer {
  splitters: readonly Splitter[];
  /** llama.cpp's `ignore_merges`: a word that is a token as a whole stays one token. */
  ignoreMerges: boolean;
  /** `add_bos` before `tokenizer.ggml.add_bos_token` is read. */
  addBosByDefault: boolean;
  /** The BOS id before `tokenizer.ggml.bos_token_id` is read: ChatGLM has none. */
  noDefaultBos: boolean;
}

const pre = (
  splitters: readonly Splitter[],
  options: Partial<Omit<PreTokenizer, 'splitters'>> = {},
): PreTokenizer => ({
  splitters,
  ignoreMerges: options.ignoreMerges ?? false,
  addBosByDefault: options.addBosByDefault ?? false,
  noDefaultBos: options.noDefaultBos ?? false,
});

const GPT2 = [gpt2Splitter];
const LLAMA3 = [llama3Splitter(3, false)];
const QWEN2 = [llama3Splitter(1, false)];
const STARCODER = [collapsed(`[${N}]`), gpt2Splitter];
const BLOOM = wide(`\\x20?[^(${WS}|.,!?\\u2026\\u3002\\uFF0C\\u3001\\u0964\\u06D4\\u060C)]+`);
const DEEPSEEK3 = [
  collapsed(`[${N}]{1,3}`),
  wide('[\\u4E00-\\u9FA5\\u3040-\\u309F\\u30A0-\\u30FF]+'),
  collapsed(
    `[!-\\/:-@\\[-\`{-~][A-Za-z]+|[^\\r\\n${L}${P}${S}]?[${L}${M}]+| ?[${P}${S}]+[\\r\\n]*|${SPACE_TAIL}`,
  ),
];

/** Pre-tokenizers of llama.cpp that this module implements, by every name llama.cpp gives them. */
const PRE_TOKENIZERS: ReadonlyMap<string, PreTokenizer> = new Map(
  (
    [
      [
        ['default'],
        pre([
          collapsed(`[${P}$+<=>^~|]+`),
          gpt2Splitter,
          collapsed(`[${N}]+`),
          wide('[0-9][0-9][0-9]'),
        ]),
      ],
      [
        [
          'llama3',
          'llama-v3',
          'llama-bpe',
          'falcon3',
          'falcon-h1',
          'pixtral',
          'midm-2.0',
          'lfm2',
          'jina-v5-nano',
        ],
        pre(LLAMA3, { ignoreMerges: true, addBosByDefault: true }),
      ],
      [['dbrx', 'smaug-bpe'], pre(LLAMA3)],
      [['glm4', 'chatglm-bpe'], pre(LLAMA3, { noDefaultBos: true })],
      [
        ['deepseek-llm'],
        pre([
          wide('[\\r\\n]'),
          wide(
            `[${WS}]?[A-Za-z\\u00B5\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u01BA\\u01BC-\\u01BF\\u01C4-\\u0293\\u0295-\\u02AF\\u0370-\\u0373\\u0376\\u0377\\u037B-\\u037D\\u037F\\u0386\\u0388-\\u038A\\u038C\\u038E-\\u03A1\\u03A3-\\u03F5\\u03F7-\\u0481\\u048A-\\u052F\\u0531-\\u0556\\u10A0-\\u10C5\\u13A0-\\u13F5\\u13F8-\\u13FD\\u1C90-\\u1CBA\\u1CBD-\\u1CBF\\u1D00-\\u1D2B\\u1D6B-\\u1D77\\u1D79-\\u1D9A\\u1E00-\\u1F15\\u1F18-\\u1F1D\\u1F20-\\u1F45\\u1F48-\\u1F4D\\u1F50-\\u1F57\\u1F59\\u1F5B\\u1F5D\\u1F5F-\\u1F7D\\u1F80-\\u1FB4\\u1FB6-\\u1FBC\\u1FBE\\u1FC2-\\u1FC4\\u1FC6-\\u1FCC\\u1FD0-\\u1FD3\\u1FD6-\\u1FDB\\u1FE0-\\u1FEC\\u1FF2-\\u1FF4\\u1FF6-\\u1FFC\\u2102\\u2107\\u210A-\\u2113\\u2115\\u2119-\\u211D\\u2124\\u2126\\u2128\\u212A-\\u212D\\u212F-\\u2134\\u2139\\u213C-\\u213F\\u2145-\\u2149\\u214E\\u2183\\u2184\\u2C00-\\u2C7B\\u2C7E-\\u2CE4\\u2CEB-\\u2CEE\\u2CF2\\u2CF3\\uA640-\\uA66D\\uA680-\\uA69B\\uA722-\\uA76F\\uA771-\\uA787\\uA78B-\\uA78E\\uAB70-\\uABBF\\uFB00-\\uFB06\\uFB13-\\uFB17\\uFF21-\\uFF3A\\uFF41-\\uFF5A\\u{10400}-\\u{1044F}\\u{104B0}-\\u{104D3}\\u{104D8}-\\u{104FB}\\u{10C80}-\\u{10CB2}\\u{10CC0}-\\u{10CF2}\\u{118A0}-\\u{118DF}\\u{1E900}-\\u{1E943}]+`,
          ),
          wide(`[${WS}]?[!-\\/:-~\\uFF01-\\uFF0F\\uFF1A-\\uFF5E\\u2018-\\u201F\\u3000-\\u3002]+`),
          wide(`[${WS}]+$`),
          wide(`[${CJK}]+`),
          collapsed(`[${N}]+`),
        ]),
      ],
      [
        ['deepseek-coder'],
        pre([
          wide('[\\r\\n]'),
          collapsed(`[${WS}]?[${L}]+`),
          collapsed(`[${WS}]?[${P}]+`),
          wide(`[${CJK}]+`),
          collapsed(`[${N}]`),
        ]),
      ],
      [['deepseek-v3', 'hunyuan-dense', 'joyai-llm'], pre(DEEPSEEK3)],
      [['falcon'], pre([collapsed(`[${P}$+<=>^~|\`]+`), gpt2Splitter, wide('[0-9][0-9][0-9]')])],
      [
        [
          'starcoder',
          'refact',
          'command-r',
          'smollm',
          'codeshell',
          'exaone',
          'minerva-7b',
          'mellum2',
        ],
        pre(STARCODER),
      ],
      [
        [
          'gpt-2',
          'phi-2',
          'jina-es',
          'jina-de',
          'gigachat',
          'jina-v2-es',
          'jina-v2-de',
          'a.x-4.0',
          'mellum',
          'modern-bert',
          'jina-v1-en',
          'jina-v2-code',
          'roberta-bpe',
          'exaone4',
          'mpt',
          'olmo',
          'jais',
          'trillion',
          'granite-docling',
        ],
        pre(GPT2),
      ],
      [
        [
          'qwen2',
          'deepseek-r1-qwen',
          'kormo',
          'f2llmv2',
          'stablelm2',
          'hunyuan',
          'solar-open',
          'megrez',
          'grok-2',
        ],
        pre(QWEN2),
      ],
      [['qwen35'], pre([llama3Splitter(1, true)])],
      [['laguna'], pre([newlineSplitter, ...QWEN2])],
      [['poro-chat', 'bloom', 'gpt3-finnish'], pre([BLOOM])],
      [['viking'], pre([BLOOM, collapsed(`[${N}]`)])],
      [
        ['tekken'],
        pre(
          [
            collapsed(
              `[^\\r\\n${L}${N}]?${UPPER}*${LOWER}+|[^\\r\\n${L}${N}]?${UPPER}+${LOWER}*|[${N}]| ?[^${WS}${L}${N}]+[\\r\\n/]*|${SPACE_TAIL}`,
            ),
          ],
          { ignoreMerges: true, addBosByDefault: true },
        ),
      ],
      [
        ['gpt-4o', 'llama4', 'kanana2', 'talkie', 'minimax-m2'],
        pre([
          collapsed(
            `[^\\r\\n${L}${N}]?${UPPER}*${LOWER}+(?:${CONTRACTIONS})?|[^\\r\\n${L}${N}]?${UPPER}+${LOWER}*(?:${CONTRACTIONS})?|[${N}]{1,3}| ?[^${WS}${L}${N}]+[\\r\\n/]*|${SPACE_TAIL}`,
          ),
        ]),
      ],
      [
        ['seed-coder'],
        pre([
          collapsed(
            `(?:${CONTRACTIONS})|[^\\r\\n${L}${N}]?[${L}]+|[${N}]| ?[^${WS}${L}${N}\\r\\n]+|${SPACE_TAIL}`,
          ),
        ]),
      ],
      [
        ['bailingmoe', 'bailingmoe2', 'llada-moe'],
        pre([
          collapsed(
            `'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\\r\\n${L}${N}]?[${L}]+|[${N}]| ?[^${WS}${L}${N}]+[\\r\\n]*|[${WS}]*[\\r\\n]|[${WS}]+(?![^${WS}])|[${WS}]+`,
          ),
        ]),
      ],
      [
        ['jais-2'],
        pre([
          collapsed(
            `(?:${CONTRACTIONS})|[^\\r\\n${L}${N}]?[${L}]+|[${N}]{1,3}| ?[^${WS}${L}${N}]+[\\r\\n]*|[${WS}]*[\\r\\n]+|${[
              512, 256, 128, 64, 32, 16, 8, 4,
            ]
              .map((n) => `[${WS}]{${n}}(?![^${WS}])`)
              .join('|')}|[${WS}]{1,2}(?![^${WS}])|[${WS}]`,
          ),
        ]),
      ],
      [
        ['minicpm5'],
        pre(
          [
            collapsed(`[${N}]{1,3}`),
            collapsed(
              `(?:${CONTRACTIONS})|[^\\r\\n${L}${N}]?[${L}]+|[${N}]+| ?[^${WS}${L}${N}]+[\\r\\n]*|${SPACE_TAIL}`,
            ),
          ],
          { ignoreMerges: true },
        ),
      ],
    ] as const
  ).flatMap(([names, tokenizer]) => names.map((name) => [name, tokenizer] as const)),
);

/** Every `tokenizer.ggml.pre` value this module implements. */
export const SUPPORTED_PRE_TOKENIZERS: readonly string[] = [...PRE_TOKENIZERS.keys()];

/**
 * The pre-tokenizer llama.cpp uses for `tokenizer.ggml.pre` (absent means `default`, as llama.cpp
 * falls back with a warning); null for one this module does not implement.
 */
export function preTokenizerFor(name: string | null): PreTokenizer | null {
  return PRE_TOKENIZERS.get(name === null || name === '' ? 'default' : name) ?? null;
}

/** Cuts a text (as code points) into the words BPE merges within. Returns word lengths. */
export function splitWords(codepoints: readonly number[], tokenizer: PreTokenizer): number[] {
  const input: SplitInput = { codepoints, collapsed: null, wide: null };
  let pieces = codepoints.length > 0 ? [codepoints.length] : [];
  for (const splitter of tokenizer.splitters) pieces = splitter(input, pieces);
  return pieces;
}
