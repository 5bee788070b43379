import {
  closeSync,
  mkdtempSync,
  openAsBlob,
  openSync,
  rmSync,
  writeSync,
  ftruncateSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedModelsDir } from '../../../scripts/shared-dir.ts';
import {
  encodeGguf,
  tinyLlamaHeader,
  type GgufValue,
} from '../../../scripts/tokenizer/gguf-writer.ts';
import { readGgufVocabulary } from './gguf-vocabulary.ts';

const model = (name: string) => openAsBlob(join(sharedModelsDir(), name));

/** A Blob that counts the bytes read through it. */
class CountingBlob extends Blob {
  bytesRead = 0;

  constructor(private readonly inner: Blob) {
    super([]);
  }

  override get size(): number {
    return this.inner.size;
  }

  override slice(start?: number, end?: number): Blob {
    const piece = this.inner.slice(start, end);
    this.bytesRead += piece.size;
    return piece;
  }
}

const gguf = (entries: [string, GgufValue][]) =>
  new Blob([encodeGguf(new Map([...tinyLlamaHeader('test'), ...entries]))]);

const TOKENIZER: [string, GgufValue][] = [
  ['tokenizer.ggml.model', { type: 'string', value: 'gpt2' }],
  ['tokenizer.ggml.tokens', { type: 'string[]', value: ['a', 'b', 'ab'] }],
];

/** A little-endian GGUF header by hand, for values the writer refuses to produce. */
function rawHeader(build: (view: DataView) => number): Blob {
  const bytes = new Uint8Array(256);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x46554747, true);
  view.setUint32(4, 3, true);
  const end = build(view);
  return new Blob([bytes.subarray(0, end)]);
}

const writeKey = (view: DataView, at: number, key: string): number => {
  view.setBigUint64(at, BigInt(key.length), true);
  for (let i = 0; i < key.length; i++) view.setUint8(at + 8 + i, key.charCodeAt(i));
  return at + 8 + key.length;
};

describe('readGgufVocabulary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gguf-vocabulary-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a SentencePiece vocabulary with its scores, types and special ids', async () => {
    const read = await readGgufVocabulary(await model('stories260K.gguf'));
    if (!read.ok) throw new Error(read.problem.kind);
    const vocabulary = read.vocabulary;
    expect(vocabulary).toMatchObject({
      model: 'llama',
      pre: null,
      merges: null,
      specialIds: { bos: 1, eos: 2, unknown: 0 },
      addBos: null,
      addSpacePrefix: null,
      architecture: 'llama',
    });
    expect(vocabulary.tokens).toHaveLength(512);
    expect(vocabulary.tokens.slice(0, 4)).toEqual(['<unk>', '<s>', '</s>', '<0x00>']);
    expect(vocabulary.scores).toHaveLength(512);
    expect(Array.from(vocabulary.tokenTypes ?? []).slice(0, 4)).toEqual([2, 3, 3, 6]);
  });

  it('reads Llama 2’s 32000-token vocabulary', async () => {
    const read = await readGgufVocabulary(await model('llama-2-tiny-random.gguf'));
    if (!read.ok) throw new Error(read.problem.kind);
    expect(read.vocabulary.tokens).toHaveLength(32000);
    expect(read.vocabulary.tokens[29871]).toBe('▁');
    expect(read.vocabulary.modelName).toBe('LLaMA v2');
  });

  it('reads a 256k vocabulary with 256k merges well under a second, exactly', async () => {
    const count = 256_000;
    const samples = ['Ġthe', 'ĠWonderland', '日本', '🦙', 'ĊĊ', '<|im_end|>', 'a', 'Ã©'];
    const tokens = Array.from(
      { length: count },
      (_, i) => `${samples[i % samples.length] ?? ''}${i}`,
    );
    const merges = Array.from({ length: count }, (_, i) => `Ġt${i} he${i % 1000}`);
    const scores = Float32Array.from({ length: count }, (_, i) => -i / 7);
    const types = Int32Array.from({ length: count }, (_, i) => (i % 50 === 0 ? 3 : 1));
    const file = gguf([
      ['tokenizer.ggml.model', { type: 'string', value: 'gpt2' }],
      ['tokenizer.ggml.pre', { type: 'string', value: 'qwen2' }],
      ['tokenizer.ggml.tokens', { type: 'string[]', value: tokens }],
      ['tokenizer.ggml.scores', { type: 'f32[]', value: scores }],
      ['tokenizer.ggml.token_type', { type: 'i32[]', value: types }],
      ['tokenizer.ggml.merges', { type: 'string[]', value: merges }],
      ['tokenizer.ggml.bos_token_id', { type: 'u32', value: 11 }],
      ['tokenizer.ggml.add_bos_token', { type: 'bool', value: false }],
    ]);
    expect(file.size).toBeGreaterThan(8 << 20); // several slices

    // CPU time, not wall time: other processes on a shared machine must not fail this test.
    const started = process.cpuUsage();
    const read = await readGgufVocabulary(file);
    const { user, system } = process.cpuUsage(started);
    const cpuMs = (user + system) / 1000;
    if (!read.ok) throw new Error(read.problem.kind);
    // Plain loops: deep equality on 256k items would take seconds by itself.
    const differences = (a: ArrayLike<unknown>, b: ArrayLike<unknown> | null) => {
      if (b === null || a.length !== b.length) return -1;
      let count = 0;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) count++;
      return count;
    };
    expect(differences(tokens, read.vocabulary.tokens)).toBe(0);
    expect(differences(merges, read.vocabulary.merges)).toBe(0);
    expect(differences(scores, read.vocabulary.scores)).toBe(0);
    expect(differences(types, read.vocabulary.tokenTypes)).toBe(0);
    expect(read.vocabulary).toMatchObject({ pre: 'qwen2', specialIds: { bos: 11 }, addBos: false });
    // Some 250 ms of CPU on a slow 2-core machine, over 1 s when other processes crowd it; a
    // regression to per-item awaits or quadratic copying would take tens of seconds.
    expect(cpuMs).toBeLessThan(4000);
  }, 30_000);

  it('reads only the header of a large file, a slice at a time', async () => {
    const path = join(dir, 'sparse.gguf');
    const header = encodeGguf(new Map([...tinyLlamaHeader('sparse'), ...TOKENIZER]));
    const fd = openSync(path, 'w');
    writeSync(fd, header);
    ftruncateSync(fd, 2 ** 30); // a 1 GiB file, sparse on disk
    closeSync(fd);
    const blob = new CountingBlob(await openAsBlob(path));
    const read = await readGgufVocabulary(blob);
    expect(read).toMatchObject({
      ok: true,
      vocabulary: { model: 'gpt2', tokens: ['a', 'b', 'ab'] },
    });
    expect(blob.bytesRead).toBeLessThanOrEqual(4 << 20);
  });

  it('needs only the header: a file cut short after it still has its vocabulary', async () => {
    // The shared fixture is cut in the tensor data; the tokenizer needs none of it.
    const read = await readGgufVocabulary(await model('bad/stories260K-truncated.gguf'));
    expect(read).toMatchObject({ ok: true, vocabulary: { model: 'llama' } });
  });

  it('reports a file cut short inside the header', async () => {
    const whole = await readFile(join(sharedModelsDir(), 'stories260K.gguf'));
    const cut = new Blob([whole.subarray(0, 3000)]);
    expect(await readGgufVocabulary(cut)).toEqual({
      ok: false,
      problem: { kind: 'truncated', fileBytes: 3000 },
    });
  });

  it('rejects what is not GGUF and GGUF version 1', async () => {
    expect(await readGgufVocabulary(new Blob(['not a model file at all, just text']))).toEqual({
      ok: false,
      problem: { kind: 'not-gguf' },
    });
    expect(await readGgufVocabulary(new Blob(['GG']))).toEqual({
      ok: false,
      problem: { kind: 'not-gguf' },
    });
    expect(await readGgufVocabulary(await model('bad/stories260K-gguf-v1.gguf'))).toEqual({
      ok: false,
      problem: { kind: 'unsupported-version', version: 1 },
    });
  });

  it('reports a file without a tokenizer', async () => {
    expect(await readGgufVocabulary(gguf([]))).toEqual({
      ok: false,
      problem: { kind: 'no-vocabulary' },
    });
  });

  it('refuses sizes the file cannot hold before allocating anything', async () => {
    const truncated = (blob: Blob) => ({
      ok: false,
      problem: { kind: 'truncated', fileBytes: blob.size },
    });
    // An array of 2^50 strings in a 100-byte file.
    const hugeArray = rawHeader((view) => {
      view.setBigUint64(8, 0n, true);
      view.setBigUint64(16, 1n, true);
      let at = writeKey(view, 24, 'tokenizer.ggml.tokens');
      view.setUint32(at, 9, true); // array
      view.setUint32(at + 4, 8, true); // of strings
      view.setBigUint64(at + 8, 2n ** 50n, true);
      at += 16;
      return at + 8;
    });
    expect(await readGgufVocabulary(hugeArray)).toEqual(truncated(hugeArray));

    // A string that claims 2^40 bytes.
    const hugeString = rawHeader((view) => {
      view.setBigUint64(8, 0n, true);
      view.setBigUint64(16, 1n, true);
      const at = writeKey(view, 24, 'tokenizer.ggml.model');
      view.setUint32(at, 8, true);
      view.setBigUint64(at + 4, 2n ** 40n, true);
      return at + 12 + 16;
    });
    expect(await readGgufVocabulary(hugeString)).toEqual(truncated(hugeString));

    // More keys than the file has bytes for.
    const manyKeys = rawHeader((view) => {
      view.setBigUint64(8, 0n, true);
      view.setBigUint64(16, 2n ** 60n, true);
      return 64;
    });
    expect(await readGgufVocabulary(manyKeys)).toEqual(truncated(manyKeys));
  });

  it('refuses an unknown value type and a repeated key', async () => {
    const unknownType = rawHeader((view) => {
      view.setBigUint64(8, 0n, true);
      view.setBigUint64(16, 1n, true);
      const at = writeKey(view, 24, 'general.odd');
      view.setUint32(at, 99, true);
      return at + 4 + 32;
    });
    expect(await readGgufVocabulary(unknownType)).toMatchObject({
      ok: false,
      problem: { kind: 'bad-metadata', key: 'general.odd' },
    });

    const bytes = encodeGguf(new Map([...tinyLlamaHeader('twice'), ...TOKENIZER]));
    // Rename 'llama.context_length' to 'general.architecture' (both 20 bytes, so offsets hold).
    const text = new TextDecoder('latin1').decode(bytes);
    const renamed = Uint8Array.from(bytes);
    renamed.set(
      new TextEncoder().encode('general.architecture'),
      text.indexOf('llama.context_length'),
    );
    expect(await readGgufVocabulary(new Blob([renamed]))).toMatchObject({
      ok: false,
      problem: { kind: 'bad-metadata', key: 'general.architecture' },
    });
  });

  it('refuses scores or token types shorter than the vocabulary, as llama.cpp does', async () => {
    const file = gguf([...TOKENIZER, ['tokenizer.ggml.scores', { type: 'f32[]', value: [0, 0] }]]);
    expect(await readGgufVocabulary(file)).toMatchObject({
      ok: false,
      problem: { kind: 'bad-metadata', key: 'tokenizer.ggml.scores' },
    });
  });
});
