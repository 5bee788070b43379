/**
 * For tests: a seeded random source, a byte writer for hand-made GGUF headers, and a map of
 * where a real header keeps its counts, lengths and offsets (so that mutations hit fields that
 * matter, not only float weights).
 */

export interface Random {
  /** A float in [0, 1). */
  next: () => number;
  /** An integer in [0, n). */
  int: (n: number) => number;
  chance: (p: number) => boolean;
  pick: <T>(items: readonly T[]) => T;
}

/**
 * mulberry32: a tiny, well-mixed 32-bit generator. The same seed gives the same sequence on
 * every run and machine, so a failing fuzz case can be replayed by its number.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      const item = items[int(items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
  };
}

/**
 * Little-endian bytes, written field by field, with any value a header may claim. Also the writer
 * of the tokenizer tests' vocabulary files (scripts/tokenizer/gguf-writer.ts), hundreds of
 * thousands of strings long: strings are encoded in place.
 */
export class ByteWriter {
  private buffer: Uint8Array<ArrayBuffer> = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  private readonly encoder = new TextEncoder();
  length = 0;

  /** Makes room for `n` more bytes; call it before reading `view` or `buffer` (they may move). */
  private room(n: number): number {
    if (this.length + n > this.buffer.length) {
      const bigger = new Uint8Array(Math.max(this.buffer.length * 2, this.length + n));
      bigger.set(this.buffer.subarray(0, this.length));
      this.buffer = bigger;
      this.view = new DataView(bigger.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  u8(value: number): this {
    const at = this.room(1);
    this.view.setUint8(at, value);
    return this;
  }

  u32(value: number): this {
    const at = this.room(4);
    this.view.setUint32(at, value >>> 0, true);
    return this;
  }

  i32(value: number): this {
    const at = this.room(4);
    this.view.setInt32(at, value, true);
    return this;
  }

  /** Any 64-bit pattern: negative values are written as their two's complement. */
  u64(value: bigint | number): this {
    const at = this.room(8);
    this.view.setBigUint64(at, BigInt.asUintN(64, BigInt(value)), true);
    return this;
  }

  f32(value: number): this {
    const at = this.room(4);
    this.view.setFloat32(at, value, true);
    return this;
  }

  bytes(data: Uint8Array): this {
    const at = this.room(data.length); // first: making room may replace the buffer
    this.buffer.set(data, at);
    return this;
  }

  /** A GGUF string: its length (or `claimedLength`, to lie about it), then its UTF-8 bytes. */
  string(text: string, claimedLength?: bigint): this {
    // Encoded in place: UTF-8 takes at most 3 bytes per UTF-16 unit.
    const lengthAt = this.room(8);
    this.room(text.length * 3);
    const { written } = this.encoder.encodeInto(text, this.buffer.subarray(lengthAt + 8));
    this.length = lengthAt + 8 + written;
    this.view.setBigUint64(lengthAt, BigInt.asUintN(64, claimedLength ?? BigInt(written)), true);
    return this;
  }

  /** Zero bytes up to the next multiple of `alignment`. */
  pad(alignment: number): this {
    const rest = this.length % alignment;
    if (rest > 0) this.room(alignment - rest);
    return this;
  }

  result(): Uint8Array<ArrayBuffer> {
    return this.buffer.slice(0, this.length);
  }
}

/** A part of a `VirtualFile`: bytes, or that many zero bytes (never allocated). */
export type FilePart = Uint8Array | number;

/**
 * A file made of parts that are never joined: a slice copies only the bytes asked for, so a
 * fuzz case costs what the parser reads, not the file's size. `reads` records every slice.
 */
export class VirtualFile {
  readonly size: number;
  readonly reads: [number, number][] = [];

  constructor(
    private readonly parts: readonly FilePart[],
    size?: number,
  ) {
    const whole = parts.reduce<number>((sum, p) => sum + (typeof p === 'number' ? p : p.length), 0);
    this.size = Math.min(size ?? whole, whole);
  }

  /** The first `size` bytes, as a new file. */
  cut(size: number): VirtualFile {
    return new VirtualFile(this.parts, size);
  }

  slice(start: number, end: number): { arrayBuffer: () => Promise<ArrayBuffer> } {
    this.reads.push([start, end]);
    const from = Math.max(0, Math.min(start, this.size));
    const to = Math.max(from, Math.min(end, this.size));
    const out = new Uint8Array(to - from);
    let partStart = 0;
    for (const part of this.parts) {
      const length = typeof part === 'number' ? part : part.length;
      const a = Math.max(from, partStart);
      const b = Math.min(to, partStart + length);
      if (a < b && typeof part !== 'number') {
        out.set(part.subarray(a - partStart, b - partStart), a - from);
      }
      partStart += length;
      if (partStart >= to) break;
    }
    return { arrayBuffer: () => Promise.resolve(out.buffer) };
  }
}

/** What a header field is, for mutations aimed at it. */
export type FieldRole =
  | 'tensor-count'
  | 'metadata-count'
  | 'string-length'
  | 'value-type'
  | 'array-count'
  | 'dimension-count'
  | 'dimension'
  | 'tensor-type'
  | 'tensor-offset';

export interface HeaderField {
  at: number;
  size: 4 | 8;
  role: FieldRole;
}

const FIXED: Readonly<Record<number, number>> = {
  0: 1,
  1: 1,
  7: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  10: 8,
  11: 8,
  12: 8,
};

/**
 * The counts, lengths, types and offsets of a well-formed GGUF v2/v3 header, by position, and
 * where the header ends. Only for the test models: it trusts what it reads.
 */
export function headerFields(bytes: Uint8Array): { fields: HeaderField[]; headerEnd: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: HeaderField[] = [];
  let at = 8;
  const field = (size: 4 | 8, role: FieldRole) => {
    fields.push({ at, size, role });
    const value = size === 4 ? view.getUint32(at, true) : Number(view.getBigUint64(at, true));
    at += size;
    return value;
  };
  const string = () => {
    const length = field(8, 'string-length');
    at += length;
  };
  const value = (type: number) => {
    const fixed = FIXED[type];
    if (fixed !== undefined) at += fixed;
    else if (type === 8) string();
    else {
      const itemType = field(4, 'value-type');
      const count = field(8, 'array-count');
      for (let i = 0; i < count; i++) value(itemType);
    }
  };
  const tensors = field(8, 'tensor-count');
  const entries = field(8, 'metadata-count');
  for (let i = 0; i < entries; i++) {
    string();
    value(field(4, 'value-type'));
  }
  for (let i = 0; i < tensors; i++) {
    string();
    const dims = field(4, 'dimension-count');
    for (let d = 0; d < dims; d++) field(8, 'dimension');
    field(4, 'tensor-type');
    field(8, 'tensor-offset');
  }
  return { fields, headerEnd: at };
}
