import { describe, expect, it } from 'vitest';
import { createChunkAssembler, headOf } from './chunk-assembler.ts';

const bytes = (length: number, seed = 0): Uint8Array<ArrayBuffer> =>
  new Uint8Array(length).map((_, i) => (i * 7 + seed) & 0xff);
const joined = (pieces: Uint8Array[]) => Buffer.concat(pieces.map((p) => Buffer.from(p)));

describe('createChunkAssembler', () => {
  it('cuts pieces of any size into whole chunks, in order, without losing a byte', async () => {
    const chunks: Uint8Array[][] = [];
    const assembler = createChunkAssembler(100, async (pieces) => {
      chunks.push(pieces);
    });
    const input = [bytes(30, 1), bytes(250, 2), bytes(5, 3), bytes(65, 4)]; // 350 bytes
    for (const piece of input) await assembler.push(piece);

    expect(chunks.map((c) => joined(c).length)).toEqual([100, 100, 100]);
    expect(assembler.filled).toBe(50);
    await assembler.flush();
    expect(chunks.map((c) => joined(c).length)).toEqual([100, 100, 100, 50]);
    expect(joined(chunks.flat()).equals(joined(input))).toBe(true);
    expect(assembler.filled).toBe(0);
  });

  it('hands on views of the pieces it was given, not copies', async () => {
    const chunks: Uint8Array[][] = [];
    const assembler = createChunkAssembler(64, async (pieces) => {
      chunks.push(pieces);
    });
    const piece = bytes(100);
    await assembler.push(piece);
    await assembler.flush();
    expect(chunks.flat().every((p) => p.buffer === piece.buffer)).toBe(true);
    // A piece that fits a chunk whole is handed on as it is.
    const whole = bytes(10);
    await assembler.push(whole);
    expect(assembler.pieces).toEqual([whole]);
    expect(assembler.pieces[0]).toBe(whole);
  });

  it('waits for each chunk to be taken before it takes more of the bytes', async () => {
    const order: string[] = [];
    const assembler = createChunkAssembler(10, async (pieces) => {
      order.push(`chunk ${joined(pieces).length}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push('taken');
    });
    await assembler.push(bytes(25));
    order.push(`pushed, ${assembler.filled} left`);
    expect(order).toEqual(['chunk 10', 'taken', 'chunk 10', 'taken', 'pushed, 5 left']);
  });

  it('flushes an empty chunk when asked (an empty file still gets its head checked)', async () => {
    const chunks: Uint8Array[][] = [];
    const assembler = createChunkAssembler(10, async (pieces) => {
      chunks.push(pieces);
    });
    await assembler.flush();
    expect(chunks).toEqual([[]]);
  });
});

describe('headOf', () => {
  it('joins the first bytes of several pieces', () => {
    expect([...headOf([Uint8Array.of(1, 2), Uint8Array.of(3, 4, 5)], 4)]).toEqual([1, 2, 3, 4]);
  });

  it('returns fewer bytes when there are fewer', () => {
    expect([...headOf([Uint8Array.of(1), Uint8Array.of(2)], 64)]).toEqual([1, 2]);
    expect(headOf([], 64).byteLength).toBe(0);
  });
});
