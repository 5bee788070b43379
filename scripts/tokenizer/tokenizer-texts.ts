/**
 * Texts for the tokenizer tests: one to learn synthetic BPE merges from, and many that probe the
 * corners where pre-tokenizers differ (digits, punctuation runs, whitespace runs, newlines, tabs,
 * contractions in either case, accents and combining marks, CJK, emoji, non-ASCII whitespace).
 */
import { EVALUATION_PROMPT, EVALUATION_TEXT } from '../../src/features/compare/evaluation-text.ts';

const MULTILINGUAL = [
  'Café, naïve, façade, jalapeño, Ærøskøbing, Straße, Ελληνικά, Русский текст.',
  '日本語のテキスト、東京都。中文文本：你好，世界！한국어 문장입니다.',
  'Emoji: 🦙🎉👩‍💻 ✨ — and “curly quotes” ‘too’ … done.',
  'Numbers: 3.14159, 1,000,000, 2024-06-01, 0x1F, 42nd, ١٢٣٤, ⅫⅣ, ½.',
  'Code: if (x >= 10 && y != 0) { return a[i] + b->c; } // note',
  "Contractions: don't, I'll, we're, they've, she's, I'm, he'd; DON'T, I'LL, WE'RE.",
  'Spaces:  two,   three,\ttab,\t\ttwo tabs, trailing   \nnew\n\nlines\r\nCRLF.',
];

/** What every tokenizer is compared on. */
export const PROBE_TEXTS: readonly string[] = [
  'Hello world',
  'Hello, World! How are you?',
  ' leading space',
  '  two leading spaces',
  'trailing space ',
  'trailing spaces   ',
  'multiple   spaces    between     words',
  'tab\tseparated\t\tvalues\t',
  'line one\nline two\n\nline four\n',
  '\n\n\nstarts with newlines',
  'windows\r\nline\r\n\r\nendings',
  ' \n \n  mixed whitespace \t\n\t ',
  "don't won't can't I'll you'll we're they've she's it's I'm he'd",
  "DON'T I'LL WE'RE THEY'VE SHE'S I'M HE'D 'S 'T",
  "'quoted' ''double'' rock'n'roll o'clock",
  '12345 678 9 1234567890 3.14159 1,000,000 007',
  'v1.2.3-beta+exp.sha.5114f85 #42 @user',
  '!!!???... ---- ==== **** ;;; ::: ((( ))) [[[ ]]] {{{ }}}',
  '$100 + 5% = ~$105 ^_^ | `code` <tag> a=>b a->b',
  'Café naïve façade jalapeño Straße Ærøskøbing',
  'e\u0301 combining acute, n\u0303, a\u0308\u0304 stacked marks',
  'Ελληνικά κείμενο. Русский текст. עברית. العربية.',
  '日本語のテキスト、東京都。',
  '中文文本：你好，世界！',
  '한국어 문장입니다.',
  'Emoji 🦙🎉 👩‍💻 ✨ flags 🇫🇷🇯🇵',
  '“curly quotes” ‘single’ — em dash – en dash … ellipsis',
  'non\u00a0breaking\u2003em\u3000ideographic\u2028line\u0085next',
  '١٢٣٤ Arabic digits, Ⅻ roman numeral, ½ fraction, ²³ superscripts',
  'camelCaseWords PascalCase snake_case SCREAMING_CASE kebab-case',
  'HTTPServer XMLHttpRequest iPhone eBay McDonald',
  'if (x >= 10 && y != 0) {\n    return a[i] + b->c; // note\n}\n',
  'def f(x):\n\treturn x ** 2\n\n\nprint(f(3))',
  'A question? An answer. A list: one, two; three.',
  '<|im_start|>user\nHi<|im_end|>',
  '<think>reasoning</think> answer',
  '<|begin_of_text|>text<|endoftext|>',
  '<s> SentencePiece specials </s> and <unk>',
  '<|channel|>analysis<|message|>hi<|end|><|return|><|call|> <|eot_id|> x<|fim_prefix|>',
  'a   <mask>  b</s><|tool_response>  <s>  c </s>  d<|endoftext|>  e',
  'lone surrogate \ud800 here',
  '\u0000\u0001\u001f control \u007f chars',
  'a',
  ' ',
  '',
  `${EVALUATION_PROMPT}${EVALUATION_TEXT}`,
];

/**
 * What the synthetic vocabularies learn their merges from: the probes themselves (three times,
 * so their pairs are frequent) less anything that looks like a special token, some multilingual
 * lines, and the start of the evaluation text.
 */
export const TRAINING_TEXT = [
  ...[1, 2, 3].flatMap(() =>
    // Without special tokens' texts: learned as merges they would be normal tokens.
    PROBE_TEXTS.filter((text) => text.length < 1000).map((text) =>
      text.replace(/<[|/a-z][^<>]*>/g, ''),
    ),
  ),
  ...MULTILINGUAL,
  EVALUATION_PROMPT,
  EVALUATION_TEXT.slice(0, 4000),
].join('\n');
