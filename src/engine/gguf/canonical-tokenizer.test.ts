/**
 * The TypeScript tokenizer against native llama.cpp (node-llama-cpp's prebuilt binaries, models
 * loaded vocabulary-only) on the same GGUF files: the real SentencePiece test models, variants of
 * them with other flags, and synthetic byte-level BPE vocabularies under each pre-tokenizer.
 */
import { mkdtempSync, openAsBlob, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedModelsDir } from '../../../scripts/shared-dir.ts';
import { syntheticBpe, syntheticBpeGguf } from '../../../scripts/tokenizer/synthetic-bpe.ts';
import { PROBE_TEXTS, TRAINING_TEXT } from '../../../scripts/tokenizer/tokenizer-texts.ts';
import { vocabularyGguf } from '../../../scripts/tokenizer/vocabulary-gguf.ts';
import { SUPPORTED_PRE_TOKENIZERS } from './bpe-pre-tokenizers.ts';
import {
  createCanonicalTokenizer,
  loadCanonicalTokenizer,
  type CanonicalTokenizer,
} from './canonical-tokenizer.ts';
import { readGgufVocabulary, type GgufVocabulary } from './gguf-vocabulary.ts';

/**
 * One name per distinct pre-tokenizer llama.cpp has (aliases share code), and every name the
 * quantization lab's catalog is likely to meet. Each gets a synthetic vocabulary of its own.
 */
const TESTED_PRE_TOKENIZERS = [
  'default',
  'gpt-2',
  'llama-bpe',
  'dbrx',
  'chatglm-bpe',
  'qwen2',
  'deepseek-r1-qwen',
  'qwen35',
  'laguna',
  'smollm',
  'starcoder',
  'falcon',
  'deepseek-llm',
  'deepseek-coder',
  'deepseek-v3',
  'gpt-4o',
  'tekken',
  'bloom',
  'viking',
  'seed-coder',
  'bailingmoe',
  'jais-2',
  'minicpm5',
  'jina-v2-code',
];

const vocabularyOf = async (path: string): Promise<GgufVocabulary> => {
  const read = await readGgufVocabulary(await openAsBlob(path));
  if (!read.ok) throw new Error(`${path}: ${read.problem.kind}`);
  return read.vocabulary;
};

const TOKEN_TYPE = { control: 3, userDefined: 4 } as const;

describe('canonical tokenizer against native llama.cpp', () => {
  let llama: Llama;
  let dir: string;
  const files = new Map<string, string>();

  beforeAll(async () => {
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    llama = await getLlama({
      gpu: false,
      build: 'never',
      maxThreads: 1,
      logLevel: LlamaLogLevel.error,
      // node-llama-cpp sizes a model by simulating its load; a vocabulary-only file has no
      // tensors, so the simulation complains. The real load (vocab_only) does not.
      logger: (_level, message) => {
        if (!/missing tensor|failed to load model/.test(message)) console.warn(message);
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'canonical-tokenizer-'));
    const write = (name: string, bytes: Uint8Array) => {
      const path = join(dir, `${name}.gguf`);
      writeFileSync(path, bytes);
      files.set(name, path);
    };

    const models = sharedModelsDir();
    files.set('spm stories260K', join(models, 'stories260K.gguf'));
    files.set('spm llama-2-tiny-random', join(models, 'llama-2-tiny-random.gguf'));
    const stories = await vocabularyOf(join(models, 'stories260K.gguf'));
    write(
      'spm without space prefix or BOS, with EOS',
      vocabularyGguf(stories, { addSpacePrefix: false, addBos: false, addEos: true }),
    );
    const llama2 = await vocabularyOf(join(models, 'llama-2-tiny-random.gguf'));
    // llama.cpp strips the whitespace after Phi-3's special tokens (set by model name).
    write(
      'spm phi-3 special-token whitespace',
      vocabularyGguf(llama2, {
        name: 'Phi-3 mini synthetic',
        extraTokens: [
          ['<|endoftext|>', TOKEN_TYPE.control],
          ['<|end|>', TOKEN_TYPE.control],
          ['<think>', TOKEN_TYPE.userDefined],
        ],
      }),
    );

    const bpe = syntheticBpe(TRAINING_TEXT, 1000);
    for (const pre of TESTED_PRE_TOKENIZERS) write(`bpe ${pre}`, syntheticBpeGguf(bpe, pre));
    write('bpe llama-bpe without BOS', syntheticBpeGguf(bpe, 'llama-bpe', { addBos: false }));
    write(
      'bpe gpt-2 with BOS and EOS',
      syntheticBpeGguf(bpe, 'gpt-2', { addBos: true, addEos: true }),
    );
  }, 60_000);

  afterAll(async () => {
    await llama.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tests every pre-tokenizer family it claims', () => {
    for (const pre of TESTED_PRE_TOKENIZERS) expect(SUPPORTED_PRE_TOKENIZERS).toContain(pre);
  });

  const cases = (): string[] => [...files.keys()];
  // Names are known only after beforeAll wrote the files; list them statically for it.each.
  const names = [
    'spm stories260K',
    'spm llama-2-tiny-random',
    'spm without space prefix or BOS, with EOS',
    'spm phi-3 special-token whitespace',
    ...TESTED_PRE_TOKENIZERS.map((pre) => `bpe ${pre}`),
    'bpe llama-bpe without BOS',
    'bpe gpt-2 with BOS and EOS',
  ];

  it('covers every file written', () => {
    expect(cases().sort()).toEqual([...names].sort());
  });

  it.each(names)(
    '%s: the same tokens as llama_tokenize',
    async (name) => {
      const path = files.get(name) ?? '';
      const setup = await loadCanonicalTokenizer(await openAsBlob(path));
      if (!setup.ok) throw new Error(`${name}: ${JSON.stringify(setup.reason)}`);
      const tokenizer: CanonicalTokenizer = setup.tokenizer;
      const model = await llama.loadModel({ modelPath: path, vocabOnly: true });
      try {
        // node-llama-cpp reports BOS and EOS only for control tokens, which they are in every file.
        expect({ bos: tokenizer.bosId, eos: tokenizer.eosId }).toEqual({
          bos: model.tokens.bos,
          eos: model.tokens.eos,
        });
        expect({ addBos: tokenizer.addBos, addEos: tokenizer.addEos }).toEqual({
          addBos: model.tokens.shouldPrependBosToken,
          addEos: model.tokens.shouldAppendEosToken,
        });

        const texts = (await vocabularyOf(path)).tokens;
        const pieces = (tokens: readonly number[]) => tokens.map((id) => texts[id] ?? id);
        const mismatches: string[] = [];
        for (const text of PROBE_TEXTS) {
          for (const parseSpecial of [false, true]) {
            // node-llama-cpp calls llama_tokenize with add_special false.
            const want = Array.from(model.tokenize(text, parseSpecial));
            const got = tokenizer.tokenize(text, { addSpecial: false, parseSpecial });
            if (!got.ok || got.tokens.join() !== want.join()) {
              mismatches.push(
                `${JSON.stringify(text.slice(0, 60))} (parseSpecial ${parseSpecial})\n` +
                  `  llama.cpp: ${JSON.stringify(pieces(want).slice(0, 40))}\n` +
                  `  ours:      ${got.ok ? JSON.stringify(pieces(got.tokens).slice(0, 40)) : JSON.stringify(got.reason)}`,
              );
            }
          }
          // add_special: llama.cpp puts BOS first and EOS last, each where its flag says.
          const plain = tokenizer.tokenize(text, { addSpecial: false });
          const withSpecial = tokenizer.tokenize(text, { addSpecial: true });
          expect(withSpecial).toEqual({
            ok: true,
            tokens: [
              ...(tokenizer.addBos ? [model.tokens.bos] : []),
              ...(plain.ok ? plain.tokens : []),
              ...(tokenizer.addEos ? [model.tokens.eos] : []),
            ],
          });
        }
        expect(mismatches.join('\n')).toBe('');
      } finally {
        await model.dispose();
      }
    },
    30_000,
  );

  it('tells the pre-tokenizers apart: the texts are tokenized differently under each', async () => {
    // Without this the comparisons above could pass with a wrong pre-tokenizer chosen.
    const vocabulary = await vocabularyOf(files.get('bpe gpt-2') ?? '');
    const outputs = new Map<string, string>();
    for (const pre of [
      'gpt-2',
      'llama-bpe',
      'qwen2',
      'qwen35',
      'deepseek-llm',
      'deepseek-v3',
      'gpt-4o',
      'falcon',
      'starcoder',
    ]) {
      const setup = createCanonicalTokenizer({ ...vocabulary, pre });
      if (!setup.ok) throw new Error(pre);
      const tokens = PROBE_TEXTS.map((text) => {
        const result = setup.tokenizer.tokenize(text, { addSpecial: false });
        return result.ok ? result.tokens.join() : '';
      });
      outputs.set(pre, tokens.join('\n'));
    }
    expect(new Set(outputs.values()).size).toBe(outputs.size);
  });
});

describe('canonical tokenizer: what it refuses', () => {
  const base = async () => vocabularyOf(join(sharedModelsDir(), 'stories260K.gguf'));

  it('refuses a tokenizer type it does not implement', async () => {
    expect(createCanonicalTokenizer({ ...(await base()), model: 'bert' })).toEqual({
      ok: false,
      reason: { kind: 'unsupported-tokenizer', model: 'bert' },
    });
  });

  it('refuses a BPE pre-tokenizer it does not know, rather than guess', async () => {
    const vocabulary = { ...(await base()), model: 'gpt2', merges: ['a b'] };
    expect(createCanonicalTokenizer({ ...vocabulary, pre: 'kimi-k2' })).toEqual({
      ok: false,
      reason: { kind: 'unsupported-pre-tokenizer', pre: 'kimi-k2' },
    });
    // An absent pre-tokenizer is llama.cpp's `default`, as llama.cpp itself decides.
    expect(createCanonicalTokenizer({ ...vocabulary, pre: null }).ok).toBe(true);
  });

  it('refuses BPE without merges, as llama.cpp does', async () => {
    const vocabulary = { ...(await base()), model: 'gpt2', pre: 'gpt-2', merges: null };
    expect(createCanonicalTokenizer(vocabulary)).toMatchObject({
      ok: false,
      reason: { kind: 'bad-vocabulary' },
    });
  });

  it('fails where SentencePiece needs a byte token the vocabulary lacks (llama.cpp throws)', async () => {
    const vocabulary = await base();
    const tokens = vocabulary.tokens.map((text) => (text === '<0xE6>' ? '<0xE6-gone>' : text));
    const setup = createCanonicalTokenizer({ ...vocabulary, tokens });
    if (!setup.ok) throw new Error('setup');
    // 日 is E6 97 A5 in UTF-8; a 512-token vocabulary has no token for it.
    expect(setup.tokenizer.tokenize('日', { addSpecial: false })).toEqual({
      ok: false,
      reason: { kind: 'no-byte-token', byte: 0xe6 },
    });
  });

  it('fails where the model asks for a BOS it does not have', async () => {
    const vocabulary = await base();
    const setup = createCanonicalTokenizer({
      ...vocabulary,
      specialIds: {},
      tokens: vocabulary.tokens.slice(0, 1),
    });
    if (!setup.ok) throw new Error('setup');
    expect(setup.tokenizer.tokenize('a', { addSpecial: true })).toEqual({
      ok: false,
      reason: { kind: 'no-special-token', token: 'bos' },
    });
  });
});
