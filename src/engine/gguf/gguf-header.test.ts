import { openAsBlob } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedModelsDir } from '../../../scripts/shared-dir.ts';
import { ByteWriter, VirtualFile } from './gguf-fuzz-testing.ts';
import { checkGguf } from './gguf-header.ts';

const model = (name: string) => openAsBlob(join(sharedModelsDir(), name));

interface Tiny {
  tensorCount?: bigint;
  metadata?: (w: ByteWriter) => number;
  /** Each tensor: its name, dims, ggml type and offset (default: one after another). */
  tensors?: { name?: string; dims?: bigint[]; type?: number; offset?: bigint }[];
  alignment?: number;
}

/**
 * A small GGUF v3 file: an architecture, the given metadata and tensors (F32 [32] unless
 * said), the data section in zeros. Returns the file and the bytes its tensors need.
 */
function tiny({ tensorCount, metadata, tensors = [{}], alignment = 32 }: Tiny = {}) {
  const entries = new ByteWriter();
  const extra = metadata?.(entries) ?? 0;
  const w = new ByteWriter()
    .bytes(new TextEncoder().encode('GGUF'))
    .u32(3)
    .u64(tensorCount ?? BigInt(tensors.length))
    .u64(1 + extra)
    .string('general.architecture')
    .u32(8)
    .string('llama')
    .bytes(entries.result());
  let next = 0n;
  let end = 0n;
  tensors.forEach(({ name, dims = [32n], type = 0, offset }, i) => {
    const bytes = dims.reduce((a, b) => a * b, 1n) * 4n;
    w.string(name ?? `t${i}`).u32(dims.length);
    for (const d of dims) w.u64(d);
    w.u32(type).u64(offset ?? next);
    end = (offset ?? next) + bytes;
    next += ((bytes + BigInt(alignment) - 1n) / BigInt(alignment)) * BigInt(alignment);
  });
  if (tensors.length > 0) w.pad(alignment);
  const header = w.result();
  return {
    header,
    file: new VirtualFile([header, Number(next)]),
    requiredBytes: header.length + Number(end),
  };
}

describe('checkGguf', () => {
  it('reads the header of a valid model', async () => {
    const check = await checkGguf(await model('stories260K-chat-q8_0.gguf'));
    expect(check).toMatchObject({
      ok: true,
      header: { version: 3, architecture: 'llama', hasChatTemplate: true },
    });
    if (!check.ok) throw new Error('unreachable');
    expect(check.header.contextLength).toBeGreaterThan(0);
    // Every byte of the file is accounted for by the tensors (up to final padding).
    expect(check.header.requiredBytes).toBeGreaterThan(489472 - 64);
    expect(check.header.requiredBytes).toBeLessThanOrEqual(489472);
  });

  it('counts the weights of each quantization (bits per weight)', async () => {
    const bitsPerWeight = async (name: string) => {
      const check = await checkGguf(await model(name));
      if (!check.ok || !check.header.weights) throw new Error(`${name}: no weights`);
      return (check.header.weights.bytes * 8) / check.header.weights.parameters;
    };
    expect(await bitsPerWeight('stories260K-chat-f32.gguf')).toBe(32);
    // 2-D tensors in the smaller type; norms (and ffn_down, whose rows do not divide by 32) in F32.
    const f16 = await bitsPerWeight('stories260K-chat-f16.gguf');
    const q8 = await bitsPerWeight('stories260K-chat-q8_0.gguf');
    const q4 = await bitsPerWeight('stories260K-chat-q4_0.gguf');
    expect(f16).toBeGreaterThan(16);
    expect(f16).toBeLessThan(17);
    expect(q8).toBeGreaterThan(8.5);
    expect(q8).toBeLessThan(f16);
    expect(q4).toBeGreaterThan(4.5);
    expect(q4).toBeLessThan(q8);
  });

  it('knows a model without a chat template', async () => {
    const check = await checkGguf(await model('stories260K.gguf'));
    expect(check).toMatchObject({ ok: true, header: { hasChatTemplate: false } });
  });

  it('reads a large vocabulary header', async () => {
    const check = await checkGguf(await model('llama-2-tiny-random.gguf'));
    expect(check.ok).toBe(true);
  });

  it('rejects a truncated file with the byte counts', async () => {
    const check = await checkGguf(await model('bad/stories260K-truncated.gguf'));
    expect(check).toMatchObject({ ok: false, problem: 'truncated', actualBytes: 600000 });
    if (check.ok || check.problem !== 'truncated') throw new Error('unreachable');
    expect(check.requiredBytes).toBeGreaterThan(1_185_000);
  });

  it('rejects GGUF version 1', async () => {
    const check = await checkGguf(await model('bad/stories260K-gguf-v1.gguf'));
    expect(check).toEqual({ ok: false, problem: 'unsupported-version', version: 1 });
  });

  it('rejects a file that is not GGUF', async () => {
    const html = new Blob(['<!doctype html><title>Not found</title>']);
    expect(await checkGguf(html)).toEqual({ ok: false, problem: 'not-gguf' });
    expect(await checkGguf(new Blob([]))).toEqual({ ok: false, problem: 'not-gguf' });
  });

  it('rejects a file whose header is cut short', async () => {
    const whole = await model('stories260K.gguf');
    const check = await checkGguf(whole.slice(0, 200));
    expect(check).toEqual({
      ok: false,
      problem: 'truncated',
      requiredBytes: null,
      actualBytes: 200,
    });
  });

  it('checks a well-formed small file exactly (the test builder agrees with the parser)', async () => {
    const { file, requiredBytes } = tiny({ tensors: [{}, { dims: [64n, 2n] }, {}] });
    expect(await checkGguf(file)).toMatchObject({
      ok: true,
      header: { tensorCount: 3, requiredBytes, weights: { parameters: 32 + 128 + 32 } },
    });
  });

  it('accepts a file without tensors whose header does not end on the alignment', async () => {
    // llama.cpp pads to the alignment only before tensor data; a vocabulary-only file has none.
    const { file } = tiny({ tensors: [] });
    expect(file.size % 32).not.toBe(0);
    expect(await checkGguf(file)).toMatchObject({ ok: true, header: { requiredBytes: file.size } });
  });

  it('calls absurd counts malformed, not cut short, and reads no more for them', async () => {
    for (const claim of [10n ** 12n, 2n ** 64n - 1n]) {
      const { file } = tiny({ tensorCount: claim });
      const check = await checkGguf(file);
      expect(check).toMatchObject({ ok: false, problem: 'malformed' });
      if (check.ok || check.problem !== 'malformed') throw new Error('unreachable');
      expect(check.detail).toMatch(/claims (1,000,000,000,000|about 1\.8e\+19) tensors/);
    }
    // In a 1 TB file too: one first read of 64 KiB, not the 256 MiB a header may take.
    const huge = new VirtualFile([tiny({ tensorCount: 10n ** 12n }).header, 2 ** 40]);
    expect(await checkGguf(huge)).toMatchObject({ problem: 'malformed' });
    expect(huge.reads).toEqual([[0, 65_536]]);
  });

  it('calls a string or an array that claims close to 2^64 bytes malformed', async () => {
    const longString = tiny({
      metadata: (w) => (
        w
          .string('general.name')
          .u32(8)
          .string('x', 2n ** 64n - 2n),
        1
      ),
    });
    const longArray = tiny({
      metadata: (w) => (
        w
          .string('tokenizer.ggml.tokens')
          .u32(9)
          .u32(8)
          .u64(10n ** 12n),
        1
      ),
    });
    expect(await checkGguf(longString.file)).toEqual({
      ok: false,
      problem: 'malformed',
      detail: 'the value of "general.name" claims about 1.8e+19 bytes',
    });
    expect(await checkGguf(longArray.file)).toEqual({
      ok: false,
      problem: 'malformed',
      detail: '"tokenizer.ggml.tokens" claims an array of 1,000,000,000,000 items',
    });
  });

  it('calls arrays of arrays malformed without recursing into them', async () => {
    const deep = tiny({
      metadata: (w) => {
        w.string('deep').u32(9);
        for (let d = 0; d < 100_000; d++) w.u32(9).u64(1);
        w.u32(4).u64(1).u32(7);
        return 1;
      },
    });
    expect(await checkGguf(deep.file)).toMatchObject({
      problem: 'malformed',
      detail: '"deep" is an array of arrays, which llama.cpp does not read',
    });
  });

  it('calls overlapping, gapped, negative and unaligned tensor offsets malformed', async () => {
    for (const offset of [0n, 160n, 2n ** 64n - 32n, 129n]) {
      const { file } = tiny({ tensors: [{ dims: [32n] }, { dims: [32n], offset }] });
      expect(await checkGguf(file)).toMatchObject({ ok: false, problem: 'malformed' });
    }
    // The expected offset itself is fine.
    const { file } = tiny({ tensors: [{ dims: [32n] }, { dims: [32n], offset: 128n }] });
    expect(await checkGguf(file)).toMatchObject({ ok: true });
  });

  it('calls a zero, odd or mistyped alignment malformed', async () => {
    const withAlignment = (type: number, write: (w: ByteWriter) => void) =>
      tiny({ metadata: (w) => (write(w.string('general.alignment').u32(type)), 1) }).file;
    for (const file of [
      withAlignment(4, (w) => w.u32(0)),
      withAlignment(4, (w) => w.u32(48)),
      withAlignment(10, (w) => w.u64(32)),
    ]) {
      expect(await checkGguf(file)).toMatchObject({
        problem: 'malformed',
        detail: 'its alignment (general.alignment) is not a power of 2',
      });
    }
  });

  it('calls shapes llama.cpp refuses malformed: too many dims, negative sizes, split blocks', async () => {
    const verdict = async (tensor: NonNullable<Tiny['tensors']>[number]) => {
      const check = await checkGguf(tiny({ tensors: [tensor] }).file);
      return check.ok ? 'ok' : check.problem === 'malformed' ? check.detail : check.problem;
    };
    expect(await verdict({ dims: [32n, 1n, 1n, 1n, 1n] })).toBe(
      'tensor "t0" has 5 dimensions (at most 4)',
    );
    expect(await verdict({ dims: [32n, 2n ** 64n - 1n] })).toBe('tensor "t0" has a negative size');
    expect(await verdict({ dims: [2n ** 32n, 2n ** 32n] })).toBe(
      'tensor "t0" has more elements than llama.cpp can count',
    );
    expect(await verdict({ dims: [33n], type: 8 })).toBe(
      'tensor "t0"\'s rows of 33 do not divide into its type\'s blocks of 32',
    );
    expect(await verdict({ type: 2 ** 31 })).toBe(
      'tensor "t0" has type 2,147,483,648, which is no ggml type',
    );
    expect(await verdict({ name: 'n'.repeat(64) })).toBe(
      "tensor 1's name is longer than llama.cpp allows (63 bytes)",
    );
    // A type newer than this app's table is let through, uncounted.
    expect(await verdict({ type: 40 })).toBe('ok');
  });

  it('keeps names from the file short and printable in its verdict', async () => {
    const { file } = tiny({
      tensors: [
        { name: 'a\u0007\u202ebcdefghij'.repeat(4) },
        { name: 'a\u0007\u202ebcdefghij'.repeat(4) },
      ],
    });
    const check = await checkGguf(file);
    if (check.ok || check.problem !== 'malformed') throw new Error(JSON.stringify(check));
    expect(check.detail).toBe('two tensors are named "a??bcdefghija??bcdefghija??bcdefghija??b…"');
  });

  it('reads a large header in growing steps, never past the end of the file', async () => {
    const bytes = new Uint8Array(await (await model('llama-2-tiny-random.gguf')).arrayBuffer());
    const file = new VirtualFile([bytes]);
    expect(await checkGguf(file)).toMatchObject({ ok: true });
    // The 700 KB header fits in the third read; the tensor data is never read.
    expect(file.reads).toEqual([
      [0, 65_536],
      [0, 262_144],
      [0, 1_048_576],
    ]);
    const cut = file.cut(900_000);
    expect(await checkGguf(cut)).toMatchObject({ problem: 'truncated', actualBytes: 900_000 });
    expect(cut.reads.at(-1)).toEqual([0, 900_000]);
  });
});
