/**
 * Writes small GGUF v3 files (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md) that hold
 * metadata and no tensors: enough for llama.cpp to load a vocabulary (`vocab_only`), which is all
 * the tokenizer tests need. Also used to write deliberately damaged headers.
 */

import { ByteWriter } from '../../src/engine/gguf/gguf-fuzz-testing.ts';

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
