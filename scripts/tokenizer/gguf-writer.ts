/**
 * Writes small GGUF v3 files (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md) that hold
 * metadata and no tensors: enough for llama.cpp to load a vocabulary (`vocab_only`), which is all
 * the tokenizer tests need. Also used to write deliberately damaged headers.
 */

export type GgufValue =
  | { type: 'string'; value: string }
  | { type: 'u32'; value: number }
  | { type: 'i32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string[]'; value: readonly string[] }
  | { type: 'i32[]'; value: ArrayLike<number> }
  | { type: 'f32[]'; value: ArrayLike<number> };

const TYPE_ID = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9 } as const;

class ByteWriter {
  private buffer: Uint8Array<ArrayBuffer> = new Uint8Array(1 << 16);
  private view = new DataView(this.buffer.buffer);
  length = 0;
  private readonly encoder = new TextEncoder();

  /** Makes room for `n` bytes; call it before touching `buffer` or `view`, which it may replace. */
  private reserve(n: number): number {
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
    const at = this.reserve(1);
    this.view.setUint8(at, value);
    return this;
  }

  u32(value: number): this {
    const at = this.reserve(4);
    this.view.setUint32(at, value, true);
    return this;
  }

  i32(value: number): this {
    const at = this.reserve(4);
    this.view.setInt32(at, value, true);
    return this;
  }

  f32(value: number): this {
    const at = this.reserve(4);
    this.view.setFloat32(at, value, true);
    return this;
  }

  u64(value: number): this {
    const at = this.reserve(8);
    this.view.setUint32(at, value % 2 ** 32, true);
    this.view.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
    return this;
  }

  bytes(bytes: Uint8Array): this {
    const at = this.reserve(bytes.length); // first: reserving may replace the buffer
    this.buffer.set(bytes, at);
    return this;
  }

  string(value: string): this {
    // Encode in place: UTF-8 takes at most 3 bytes per UTF-16 unit.
    const lengthAt = this.reserve(8);
    this.reserve(value.length * 3);
    const { written } = this.encoder.encodeInto(value, this.buffer.subarray(lengthAt + 8));
    this.length = lengthAt + 8 + written;
    this.view.setUint32(lengthAt, written, true);
    this.view.setUint32(lengthAt + 4, 0, true);
    return this;
  }

  result(): Uint8Array<ArrayBuffer> {
    return this.buffer.slice(0, this.length);
  }
}

function writeValue(out: ByteWriter, entry: GgufValue): void {
  switch (entry.type) {
    case 'string':
      out.u32(TYPE_ID.string).string(entry.value);
      return;
    case 'u32':
      out.u32(TYPE_ID.u32).u32(entry.value);
      return;
    case 'i32':
      out.u32(TYPE_ID.i32).i32(entry.value);
      return;
    case 'f32':
      out.u32(TYPE_ID.f32).f32(entry.value);
      return;
    case 'bool':
      out.u32(TYPE_ID.bool).u8(entry.value ? 1 : 0);
      return;
    case 'string[]':
      out.u32(TYPE_ID.array).u32(TYPE_ID.string).u64(entry.value.length);
      for (const item of entry.value) out.string(item);
      return;
    case 'i32[]':
      out.u32(TYPE_ID.array).u32(TYPE_ID.i32).u64(entry.value.length);
      for (let i = 0; i < entry.value.length; i++) out.i32(entry.value[i] ?? 0);
      return;
    case 'f32[]':
      out.u32(TYPE_ID.array).u32(TYPE_ID.f32).u64(entry.value.length);
      for (let i = 0; i < entry.value.length; i++) out.f32(entry.value[i] ?? 0);
      return;
  }
}

/** A GGUF v3 file with these metadata entries, in this order, and no tensors. */
export function encodeGguf(metadata: ReadonlyMap<string, GgufValue>): Uint8Array<ArrayBuffer> {
  const out = new ByteWriter().u32(0x46554747).u32(3).u64(0).u64(metadata.size);
  for (const [key, value] of metadata) {
    out.string(key);
    writeValue(out, value);
  }
  return out.result();
}

/** A llama architecture's hyperparameters, so that llama.cpp accepts the file (its values are moot). */
export function tinyLlamaHeader(name: string): Map<string, GgufValue> {
  return new Map<string, GgufValue>([
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: name }],
    ['llama.context_length', { type: 'u32', value: 256 }],
    ['llama.embedding_length', { type: 'u32', value: 8 }],
    ['llama.block_count', { type: 'u32', value: 1 }],
    ['llama.feed_forward_length', { type: 'u32', value: 16 }],
    ['llama.attention.head_count', { type: 'u32', value: 2 }],
    ['llama.attention.head_count_kv', { type: 'u32', value: 2 }],
    ['llama.rope.dimension_count', { type: 'u32', value: 4 }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
  ]);
}
