/**
 * Writes synthetic llama-architecture GGUF v3 files (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md)
 * of a chosen size, with deterministic pseudo-random weights and a real tokenizer copied from
 * another GGUF file, so that throughput can be measured at realistic sizes without a model hub.
 * The output is gibberish: these files exist for speed, never for quality.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

export type WeightType = 'f16' | 'q8_0' | 'q4_0';

export interface ModelShape {
  embedding: number;
  feedForward: number;
  layers: number;
  heads: number;
  /** Size of one attention head (`attention.key_length`); by default embedding / heads. */
  headDim?: number;
  /** The context it was trained for (`context_length`); by default 2048. */
  contextLength?: number;
}

/** Shapes chosen so that, with Llama 2's 32000-token vocabulary, they hold about this many parameters. */
export const MODEL_SIZES = {
  '25m': { embedding: 256, feedForward: 704, layers: 10, heads: 4 },
  '100m': { embedding: 768, feedForward: 2048, layers: 7, heads: 12 },
  '400m': { embedding: 1024, feedForward: 2816, layers: 26, heads: 16 },
  /**
   * Not for speed: 16 MB of weights whose KV cache at its full 32768-token context takes 5 GiB,
   * more than llama.cpp's wasm heap (4 GiB) can hold, and at 4096 tokens 640 MiB. Wide heads on
   * a narrow embedding make the cache large next to the weights (both grow with the heads' width,
   * the cache also with the context); few heads keep the attention's working buffers small.
   */
  'kv-5g': {
    embedding: 64,
    feedForward: 64,
    layers: 1,
    heads: 10,
    headDim: 4096,
    contextLength: 32768,
  },
} as const satisfies Record<string, ModelShape>;

export type ModelSize = keyof typeof MODEL_SIZES;

const GGML_TYPE = { f32: 0, f16: 1, q4_0: 2, q8_0: 8 } as const;
/** llama.cpp's `general.file_type` (enum llama_ftype) for the bulk of the weights. */
const FILE_TYPE = { f16: 1, q4_0: 2, q8_0: 7 } as const;
const ALIGNMENT = 32;
const QUANT_BLOCK = 32;
const BYTES_PER_BLOCK = { f16: 64, q8_0: 34, q4_0: 18 } as const;

const enum ValueType {
  U32 = 4,
  F32 = 6,
  String = 8,
  Array = 9,
}

interface TensorPlan {
  name: string;
  /** ggml order: dims[0] is the row length. */
  dims: number[];
  type: 'f32' | WeightType;
}

/** A metadata entry as raw bytes (key, type and value), so copied entries stay byte-exact. */
type RawEntry = Uint8Array;

/** The `tokenizer.*` metadata of a GGUF file as raw entries, and the vocabulary size. */
export function readTokenizer(path: string): { entries: RawEntry[]; vocabSize: number } {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const u32 = () => ((at += 4), view.getUint32(at - 4, true));
  const u64 = () => ((at += 8), Number(view.getBigUint64(at - 8, true)));
  const fixed: Record<number, number> = { 0: 1, 1: 1, 7: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4 };
  const skipValue = (type: number): void => {
    if (type === 8) {
      const length = u64();
      at += length;
    } else if (type === 9) {
      const itemType = u32();
      const count = u64();
      if (itemType === 8 || itemType === 9) for (let i = 0; i < count; i++) skipValue(itemType);
      else at += (fixed[itemType] ?? 8) * count;
    } else at += fixed[type] ?? 8;
  };

  if (u32() !== 0x46554747) throw new Error(`${path} is not a GGUF file`);
  if (u32() !== 3) throw new Error(`${path}: only GGUF v3 is read here`);
  u64(); // tensors
  const count = u64();
  const entries: RawEntry[] = [];
  let vocabSize = 0;
  for (let i = 0; i < count; i++) {
    const start = at;
    const key = bytes.toString('utf8', at + 8, at + 8 + Number(view.getBigUint64(at, true)));
    at += 8 + Buffer.byteLength(key);
    const type = u32();
    if (key === 'tokenizer.ggml.tokens') vocabSize = Number(view.getBigUint64(at + 4, true));
    skipValue(type);
    if (key.startsWith('tokenizer.')) entries.push(bytes.subarray(start, at));
  }
  if (vocabSize === 0) throw new Error(`${path} has no tokenizer.ggml.tokens`);
  return { entries, vocabSize };
}

/** Parameter count of a shape with a given vocabulary (untied input and output embeddings). */
export function parameterCount(shape: ModelShape, vocabSize: number): number {
  const { embedding: d, feedForward: ff, layers } = shape;
  return 2 * vocabSize * d + d + layers * (2 * d + 4 * d * attentionWidth(shape) + 3 * d * ff);
}

const headDimOf = (shape: ModelShape) => shape.headDim ?? shape.embedding / shape.heads;
/** The width of all heads together: the rows of the Q, K, V and output projections. */
const attentionWidth = (shape: ModelShape) => shape.heads * headDimOf(shape);

function tensorPlan(shape: ModelShape, vocabSize: number, type: WeightType): TensorPlan[] {
  const { embedding: d, feedForward: ff } = shape;
  const width = attentionWidth(shape);
  const plan: TensorPlan[] = [{ name: 'token_embd.weight', dims: [d, vocabSize], type }];
  for (let i = 0; i < shape.layers; i++) {
    const blk = `blk.${i}`;
    plan.push(
      { name: `${blk}.attn_norm.weight`, dims: [d], type: 'f32' },
      { name: `${blk}.attn_q.weight`, dims: [d, width], type },
      { name: `${blk}.attn_k.weight`, dims: [d, width], type },
      { name: `${blk}.attn_v.weight`, dims: [d, width], type },
      { name: `${blk}.attn_output.weight`, dims: [width, d], type },
      { name: `${blk}.ffn_norm.weight`, dims: [d], type: 'f32' },
      { name: `${blk}.ffn_gate.weight`, dims: [d, ff], type },
      { name: `${blk}.ffn_up.weight`, dims: [d, ff], type },
      { name: `${blk}.ffn_down.weight`, dims: [ff, d], type },
    );
  }
  plan.push(
    { name: 'output_norm.weight', dims: [d], type: 'f32' },
    { name: 'output.weight', dims: [d, vocabSize], type },
  );
  return plan;
}

function tensorBytes(tensor: TensorPlan): number {
  const elements = tensor.dims.reduce((a, b) => a * b, 1);
  if (tensor.type === 'f32') return elements * 4;
  if (tensor.type === 'f16') return elements * 2;
  return (elements / QUANT_BLOCK) * BYTES_PER_BLOCK[tensor.type];
}

/** Little-endian byte builder for the header. */
class Bytes {
  private readonly parts: Uint8Array[] = [];
  length = 0;

  raw(bytes: Uint8Array): this {
    this.parts.push(bytes);
    this.length += bytes.byteLength;
    return this;
  }

  u32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value);
    return this.raw(b);
  }

  u64(value: number): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(value));
    return this.raw(b);
  }

  f32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    return this.raw(b);
  }

  string(value: string): this {
    const b = Buffer.from(value, 'utf8');
    return this.u64(b.byteLength).raw(b);
  }

  pad(alignment: number): this {
    const extra = (alignment - (this.length % alignment)) % alignment;
    return this.raw(new Uint8Array(extra));
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** mulberry32: small, fast, deterministic; quality is irrelevant for weights nobody reads. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function seedOf(name: string): number {
  let hash = 2166136261;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/** Half-precision bits of a small positive scale (exact for powers of two in f16's normal range). */
const f16Bits = (value: number) => ((Math.log2(value) + 15) << 10) >>> 0;
/** Scales per quantized block: weights end up within about ±0.06, like a trained model's. */
const Q8_SCALE = f16Bits(2 ** -11);
const Q4_SCALE = f16Bits(2 ** -7);

/**
 * Fills `out` with `type`-encoded random weights. `out` holds whole blocks (whole f16 values),
 * so a tensor can be written in pieces.
 */
function fillWeights(out: Uint8Array, type: 'f32' | WeightType, next: () => number): void {
  if (type === 'f32') {
    // Only norms are f32: all ones, as llama initialises them.
    new Float32Array(out.buffer, out.byteOffset, out.byteLength / 4).fill(1);
    return;
  }
  const words = new Uint32Array(out.buffer, out.byteOffset, Math.floor(out.byteLength / 4));
  for (let i = 0; i < words.length; i++) words[i] = next();
  for (let i = words.length * 4; i < out.byteLength; i++) out[i] = next() & 0xff;
  if (type === 'f16') {
    // Random sign and mantissa, exponent 8..11: magnitudes 2^-7..2^-3 (never NaN or infinity).
    const halves = new Uint16Array(out.buffer, out.byteOffset, out.byteLength / 2);
    for (let i = 0; i < halves.length; i++) {
      const bits = halves[i] ?? 0;
      halves[i] = (bits & 0x83ff) | ((8 + ((bits >>> 10) & 3)) << 10);
    }
    return;
  }
  const blockBytes = BYTES_PER_BLOCK[type];
  const scale = type === 'q8_0' ? Q8_SCALE : Q4_SCALE;
  for (let at = 0; at < out.byteLength; at += blockBytes) {
    out[at] = scale & 0xff;
    out[at + 1] = scale >>> 8;
  }
}

export interface SyntheticModel {
  size: ModelSize;
  type: WeightType;
}

export const syntheticFileName = ({ size, type }: SyntheticModel) =>
  `synthetic-llama-${size}-${type}.gguf`;

/**
 * Writes a synthetic model to `path` (streamed: memory stays at a few MiB whatever the size),
 * through a temporary file so a half-written file never looks complete. Returns its byte size.
 */
export function writeSyntheticGguf(
  path: string,
  model: SyntheticModel,
  tokenizerSource: string,
): { bytes: number; parameters: number } {
  const shape: ModelShape = MODEL_SIZES[model.size];
  const { entries, vocabSize } = readTokenizer(tokenizerSource);
  const tensors = tensorPlan(shape, vocabSize, model.type);
  const headDim = headDimOf(shape);

  const metadata = new Bytes();
  let metadataCount = 0;
  const kv = (key: string, type: ValueType, write: (b: Bytes) => void) => {
    metadata.string(key).u32(type);
    write(metadata);
    metadataCount++;
  };
  kv('general.architecture', ValueType.String, (b) => b.string('llama'));
  kv('general.name', ValueType.String, (b) => b.string(`synthetic-llama-${model.size}`));
  kv('general.file_type', ValueType.U32, (b) => b.u32(FILE_TYPE[model.type]));
  kv('general.alignment', ValueType.U32, (b) => b.u32(ALIGNMENT));
  kv('llama.context_length', ValueType.U32, (b) => b.u32(shape.contextLength ?? 2048));
  kv('llama.embedding_length', ValueType.U32, (b) => b.u32(shape.embedding));
  kv('llama.block_count', ValueType.U32, (b) => b.u32(shape.layers));
  kv('llama.feed_forward_length', ValueType.U32, (b) => b.u32(shape.feedForward));
  kv('llama.attention.head_count', ValueType.U32, (b) => b.u32(shape.heads));
  kv('llama.attention.head_count_kv', ValueType.U32, (b) => b.u32(shape.heads));
  kv('llama.attention.key_length', ValueType.U32, (b) => b.u32(headDim));
  kv('llama.attention.value_length', ValueType.U32, (b) => b.u32(headDim));
  kv('llama.rope.dimension_count', ValueType.U32, (b) => b.u32(headDim));
  kv('llama.attention.layer_norm_rms_epsilon', ValueType.F32, (b) => b.f32(1e-5));
  kv('llama.vocab_size', ValueType.U32, (b) => b.u32(vocabSize));
  for (const entry of entries) {
    metadata.raw(entry);
    metadataCount++;
  }

  const header = new Bytes().u32(0x46554747).u32(3).u64(tensors.length).u64(metadataCount);
  header.raw(metadata.toBuffer());
  let offset = 0;
  const offsets: number[] = [];
  for (const tensor of tensors) {
    header.string(tensor.name).u32(tensor.dims.length);
    for (const dim of tensor.dims) header.u64(dim);
    header.u32(GGML_TYPE[tensor.type]).u64(offset);
    offsets.push(offset);
    offset += Math.ceil(tensorBytes(tensor) / ALIGNMENT) * ALIGNMENT;
  }
  header.pad(ALIGNMENT);

  const partial = `${path}.partial`;
  const fd = openSync(partial, 'w');
  let written = 0;
  const write = (bytes: Uint8Array) => {
    writeSync(fd, bytes);
    written += bytes.byteLength;
  };
  try {
    write(header.toBuffer());
    const dataStart = written;
    // Pieces of whole blocks for every type (18, 34, 64 and 4 bytes all divide it).
    const pieceBytes = 18 * 34 * 64 * 64;
    const piece = new Uint8Array(pieceBytes);
    tensors.forEach((tensor, i) => {
      const padTo = dataStart + (offsets[i] ?? 0);
      if (written < padTo) write(new Uint8Array(padTo - written));
      const next = prng(seedOf(tensor.name));
      for (let left = tensorBytes(tensor); left > 0; left -= pieceBytes) {
        const chunk = piece.subarray(0, Math.min(left, pieceBytes));
        fillWeights(chunk, tensor.type, next);
        write(chunk);
      }
    });
  } finally {
    closeSync(fd);
  }
  renameSync(partial, path);
  return { bytes: written, parameters: parameterCount(shape, vocabSize) };
}

/**
 * Writes the model into `dir` unless a file of that name is already there; returns its path.
 * `tokenizerSource` is asked for only when a file must be written.
 */
export function ensureSyntheticGguf(
  dir: string,
  model: SyntheticModel,
  tokenizerSource: () => string,
): string {
  const path = `${dir}/${syntheticFileName(model)}`;
  if (!existsSync(path)) writeSyntheticGguf(path, model, tokenizerSource());
  return path;
}
