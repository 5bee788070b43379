import { describe, expect, it } from 'vitest';
import {
  ggufModels,
  parseResolveUrl,
  partsOf,
  quantizationOf,
  resolveUrl,
  restoreTree,
} from './hf-listing.ts';

const sha = (c: string) => c.repeat(64);
const lfsFile = (path: string, size: number, oid = sha('a')) => ({
  type: 'file',
  path,
  size: 134, // the pointer's size: the real one is in `lfs`
  oid: '0'.repeat(40),
  lfs: { oid, size, pointerSize: 134 },
});

describe('Hugging Face listing', () => {
  it('keeps files with their LFS size and SHA-256, and skips what it cannot use', () => {
    expect(
      restoreTree([
        lfsFile('m-Q4_K_M.gguf', 400e6, sha('B')),
        { type: 'file', path: 'README.md', size: 1200, oid: 'x' },
        { type: 'directory', path: 'sub', size: 0 },
        { type: 'file', path: 'bad.gguf', size: -1 },
        'junk',
      ]),
    ).toEqual([
      { path: 'm-Q4_K_M.gguf', sizeBytes: 400e6, sha256: sha('b') },
      { path: 'README.md', sizeBytes: 1200, sha256: null },
    ]);
    expect(restoreTree({ error: 'Repository not found' })).toEqual([]);
  });

  it('lists GGUF models, a split file as one model only when every part is there', () => {
    const files = restoreTree([
      lfsFile('big-Q8_0-00002-of-00002.gguf', 600),
      lfsFile('big-Q8_0-00001-of-00002.gguf', 500),
      lfsFile('half-F16-00001-of-00003.gguf', 10),
      lfsFile('small-Q4_0.gguf', 100),
      lfsFile('notes.txt', 1),
    ]);
    const models = ggufModels(files);
    expect(models.map((m) => [m.name, m.quantization, m.sizeBytes])).toEqual([
      ['small-Q4_0.gguf', 'Q4_0', 100],
      ['big-Q8_0.gguf', 'Q8_0', 1100],
    ]);
    const split = models[1];
    if (!split) throw new Error('no split model');
    expect(partsOf('o/r', split).map((p) => p.url)).toEqual([
      'https://huggingface.co/o/r/resolve/main/big-Q8_0-00001-of-00002.gguf',
      'https://huggingface.co/o/r/resolve/main/big-Q8_0-00002-of-00002.gguf',
    ]);
  });

  it('reads quantizations from file names', () => {
    expect(quantizationOf('qwen2.5-0.5b-instruct-q4_k_m.gguf')).toBe('Q4_K_M');
    expect(quantizationOf('Qwen3-0.6B-Q8_0.gguf')).toBe('Q8_0');
    expect(quantizationOf('qwen2.5-0.5b-instruct-fp16.gguf')).toBe('F16');
    expect(quantizationOf('Llama-3.2-1B-Instruct-IQ4_XS.gguf')).toBe('IQ4_XS');
    expect(quantizationOf('stories260K.gguf')).toBeNull();
  });

  it('round-trips resolve URLs', () => {
    const url = resolveUrl('o/r', 'sub dir/m.gguf');
    expect(url).toBe('https://huggingface.co/o/r/resolve/main/sub%20dir/m.gguf');
    expect(parseResolveUrl(url)).toEqual({ repo: 'o/r', revision: 'main', path: 'sub dir/m.gguf' });
    expect(parseResolveUrl('https://example.com/m.gguf')).toBeNull();
  });
});
