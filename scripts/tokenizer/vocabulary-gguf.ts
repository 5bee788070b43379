/**
 * Rewrites a vocabulary read from a real GGUF file into a vocabulary-only GGUF with some flags
 * changed: how the tests reach llama.cpp's other SentencePiece settings (no space prefix, no BOS,
 * an EOS, Phi-3's whitespace rule) with the real test models' vocabularies.
 */
import type { GgufVocabulary } from '../../src/engine/gguf/gguf-vocabulary.ts';
import { encodeGguf, tinyLlamaHeader, type GgufValue } from './gguf-writer.ts';

export interface VocabularyChanges {
  /** `general.name` (llama.cpp sets some token attributes by it). */
  name?: string;
  addBos?: boolean;
  addEos?: boolean;
  addSpacePrefix?: boolean;
  /** Tokens appended to the vocabulary, with their `llama_token_type`. */
  extraTokens?: readonly (readonly [string, number])[];
}

export function vocabularyGguf(vocabulary: GgufVocabulary, changes: VocabularyChanges): Uint8Array {
  const extra = changes.extraTokens ?? [];
  const tokens = [...vocabulary.tokens, ...extra.map(([text]) => text)];
  const types = [
    ...(vocabulary.tokenTypes ?? vocabulary.tokens.map(() => 1)),
    ...extra.map(([, type]) => type),
  ];
  const scores = [...(vocabulary.scores ?? vocabulary.tokens.map(() => 0)), ...extra.map(() => 0)];
  const metadata = tinyLlamaHeader(changes.name ?? vocabulary.modelName ?? 'vocabulary');
  const entries: [string, GgufValue | null][] = [
    ['llama.vocab_size', { type: 'u32', value: tokens.length }],
    ['tokenizer.ggml.model', { type: 'string', value: vocabulary.model }],
    [
      'tokenizer.ggml.pre',
      vocabulary.pre === null ? null : { type: 'string', value: vocabulary.pre },
    ],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: tokens }],
    ['tokenizer.ggml.scores', { type: 'f32[]', value: scores }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: types }],
    [
      'tokenizer.ggml.merges',
      vocabulary.merges === null ? null : { type: 'string[]', value: vocabulary.merges },
    ],
    ...Object.entries(vocabulary.specialIds).map(([name, id]): [string, GgufValue] => [
      `tokenizer.ggml.${name}_token_id`,
      { type: 'u32', value: id >>> 0 },
    ]),
  ];
  const flag = (key: string, value: boolean | null | undefined): [string, GgufValue | null] => [
    `tokenizer.ggml.${key}`,
    value === null || value === undefined ? null : { type: 'bool', value },
  ];
  entries.push(
    flag('add_bos_token', changes.addBos ?? vocabulary.addBos),
    flag('add_eos_token', changes.addEos ?? vocabulary.addEos),
    flag('add_space_prefix', changes.addSpacePrefix ?? vocabulary.addSpacePrefix),
  );
  for (const [key, value] of entries) if (value !== null) metadata.set(key, value);
  return encodeGguf(metadata);
}
