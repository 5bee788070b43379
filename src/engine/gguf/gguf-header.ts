/**
 * Reads the header of a GGUF file (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md) far
 * enough to reject what llama.cpp would choke on with a clear reason, before the bytes reach it:
 * not a GGUF file, an unsupported version, or a file cut short (a tensor's data lies past the end).
 */

export interface GgufHeader {
  version: number;
  tensorCount: number;
  architecture: string | null;
  contextLength: number | null;
  hasChatTemplate: boolean;
  /** llama.cpp's name for `general.file_type` (e.g. `Q4_K_M`), null when absent or unknown. */
  quantization: string | null;
  /** What the KV cache's size depends on; null where the header does not say. */
  attention: { layers: number; kvHeads: number; headDim: number } | null;
  /** Bytes the file must have to hold every tensor; null when a tensor type is unknown to us. */
  requiredBytes: number | null;
  /**
   * Every tensor's elements and bytes, for bits per weight; null when a tensor type is unknown
   * to us (its bytes could not be counted).
   */
  weights: { parameters: number; bytes: number } | null;
}

export type GgufCheck =
  | { ok: true; header: GgufHeader }
  | { ok: false; problem: 'not-gguf' }
  | { ok: false; problem: 'unsupported-version'; version: number }
  /** `requiredBytes` is null when even the header is cut short. */
  | { ok: false; problem: 'truncated'; requiredBytes: number | null; actualBytes: number };

const MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const SUPPORTED_VERSIONS = new Set([2, 3]);
const DEFAULT_ALIGNMENT = 32;
const FIRST_READ_BYTES = 1 << 20;
/** Real headers (vocabularies included) stay far below this; past it the file is garbage. */
const MAX_HEADER_BYTES = 256 << 20;

/** [elements per block, bytes per block] by ggml type id (ggml/src/ggml.c `type_traits`). */
const GGML_BLOCKS: Record<number, readonly [number, number]> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  9: [32, 36], // Q8_1
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  15: [256, 292], // Q8_K
  16: [256, 66], // IQ2_XXS
  17: [256, 74], // IQ2_XS
  18: [256, 98], // IQ3_XXS
  19: [256, 50], // IQ1_S
  20: [32, 18], // IQ4_NL
  21: [256, 110], // IQ3_S
  22: [256, 82], // IQ2_S
  23: [256, 136], // IQ4_XS
  24: [1, 1], // I8
  25: [1, 2], // I16
  26: [1, 4], // I32
  27: [1, 8], // I64
  28: [1, 8], // F64
  29: [256, 56], // IQ1_M
  30: [1, 2], // BF16
  34: [256, 54], // TQ1_0
  35: [256, 66], // TQ2_0
  39: [32, 17], // MXFP4
};

/** Thrown by the cursor when the header runs past the bytes read so far. */
class NeedMoreBytes extends Error {}
/** Thrown by the cursor when the header runs past the end of the whole file. */
class HeaderOverrun extends Error {}

class Cursor {
  private readonly view: DataView;
  private readonly decoder = new TextDecoder();
  offset = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly isWholeFile: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private take(n: number): number {
    if (this.offset + n > this.bytes.byteLength) {
      // A header that overruns the whole file is a cut-short file, not a reason to read more.
      throw this.isWholeFile ? new HeaderOverrun() : new NeedMoreBytes();
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  u64(): number {
    return Number(this.view.getBigUint64(this.take(8), true));
  }

  string(): string {
    const length = this.u64();
    const at = this.take(length);
    return this.decoder.decode(this.bytes.subarray(at, at + length));
  }

  skip(n: number): void {
    this.take(n);
  }

  /** Reads one metadata value; returns scalars and strings, skips arrays. */
  value(type: number): string | number | boolean | null {
    switch (type) {
      case 0: // u8
      case 1: // i8
        return this.view.getUint8(this.take(1));
      case 7: // bool
        return this.view.getUint8(this.take(1)) !== 0;
      case 2: // u16
      case 3: // i16
        return this.view.getUint16(this.take(2), true);
      case 4: // u32
        return this.u32();
      case 5: // i32
        return this.view.getInt32(this.take(4), true);
      case 6: // f32
        return this.view.getFloat32(this.take(4), true);
      case 8: // string
        return this.string();
      case 9: {
        // array: item type, count, items
        const itemType = this.u32();
        const count = this.u64();
        const fixed = FIXED_SIZES[itemType];
        if (fixed !== undefined) this.skip(fixed * count);
        else for (let i = 0; i < count; i++) this.value(itemType);
        return null;
      }
      case 10: // u64
      case 11: // i64
        return this.u64();
      case 12: // f64
        return this.view.getFloat64(this.take(8), true);
      default:
        throw new RangeError(`unknown metadata type ${type}`);
    }
  }
}

/** Bytes of each fixed-size GGUF metadata value type (strings and arrays are sized inline). */
export const FIXED_SIZES: Readonly<Record<number, number>> = {
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

function parse(bytes: Uint8Array, fileBytes: number): GgufCheck {
  const cursor = new Cursor(bytes, bytes.byteLength >= fileBytes);
  if (fileBytes < 8 || cursor.u32() !== MAGIC) return { ok: false, problem: 'not-gguf' };
  const version = cursor.u32();
  if (!SUPPORTED_VERSIONS.has(version))
    return { ok: false, problem: 'unsupported-version', version };

  try {
    const tensorCount = cursor.u64();
    const metadataCount = cursor.u64();
    const metadata = new Map<string, string | number | boolean>();
    for (let i = 0; i < metadataCount; i++) {
      const key = cursor.string();
      const value = cursor.value(cursor.u32());
      if (value !== null) metadata.set(key, value);
    }

    let dataEnd = 0;
    let allTypesKnown = true;
    let parameters = 0;
    let weightBytes = 0;
    for (let i = 0; i < tensorCount; i++) {
      cursor.string(); // name
      const dims = cursor.u32();
      let elements = 1;
      for (let d = 0; d < dims; d++) elements *= cursor.u64();
      const type = cursor.u32();
      const offset = cursor.u64();
      const block = GGML_BLOCKS[type];
      if (block) {
        const bytes = (elements / block[0]) * block[1];
        dataEnd = Math.max(dataEnd, offset + bytes);
        parameters += elements;
        weightBytes += bytes;
      } else {
        allTypesKnown = false;
      }
    }

    const alignment = Number(metadata.get('general.alignment') ?? DEFAULT_ALIGNMENT);
    const dataStart = Math.ceil(cursor.offset / alignment) * alignment;
    const requiredBytes = allTypesKnown ? dataStart + dataEnd : null;
    if (requiredBytes !== null && requiredBytes > fileBytes) {
      return { ok: false, problem: 'truncated', requiredBytes, actualBytes: fileBytes };
    }

    const architecture = stringOrNull(metadata.get('general.architecture'));
    return {
      ok: true,
      header: {
        version,
        tensorCount,
        architecture,
        contextLength: numberOrNull(metadata.get(`${architecture}.context_length`)),
        hasChatTemplate: typeof metadata.get('tokenizer.chat_template') === 'string',
        quantization: FILE_TYPES[Number(metadata.get('general.file_type'))] ?? null,
        attention: attentionOf(metadata, architecture),
        requiredBytes,
        weights: allTypesKnown ? { parameters, bytes: weightBytes } : null,
      },
    };
  } catch (cause) {
    if (cause instanceof HeaderOverrun) {
      return { ok: false, problem: 'truncated', requiredBytes: null, actualBytes: fileBytes };
    }
    if (cause instanceof RangeError) return { ok: false, problem: 'not-gguf' }; // garbage types
    throw cause;
  }
}

/** llama.cpp's `llama_ftype` values (include/llama.h). */
const FILE_TYPES: Record<number, string> = {
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  7: 'Q8_0',
  8: 'Q5_0',
  9: 'Q5_1',
  10: 'Q2_K',
  11: 'Q3_K_S',
  12: 'Q3_K_M',
  13: 'Q3_K_L',
  14: 'Q4_K_S',
  15: 'Q4_K_M',
  16: 'Q5_K_S',
  17: 'Q5_K_M',
  18: 'Q6_K',
  19: 'IQ2_XXS',
  20: 'IQ2_XS',
  21: 'Q2_K_S',
  22: 'IQ3_XS',
  23: 'IQ3_XXS',
  24: 'IQ1_S',
  25: 'IQ4_NL',
  26: 'IQ3_S',
  27: 'IQ3_M',
  28: 'IQ2_S',
  29: 'IQ2_M',
  30: 'IQ4_XS',
  31: 'IQ1_M',
  32: 'BF16',
  36: 'TQ1_0',
  37: 'TQ2_0',
  38: 'MXFP4_MOE',
};

function attentionOf(
  metadata: Map<string, string | number | boolean>,
  architecture: string | null,
): GgufHeader['attention'] {
  const n = (key: string) => numberOrNull(metadata.get(`${architecture}.${key}`));
  const layers = n('block_count');
  const heads = n('attention.head_count');
  const kvHeads = n('attention.head_count_kv') ?? heads;
  const embedding = n('embedding_length');
  const headDim = n('attention.key_length') ?? (embedding && heads ? embedding / heads : null);
  if (!layers || !kvHeads || !headDim) return null;
  return { layers, kvHeads, headDim };
}

const stringOrNull = (v: unknown) => (typeof v === 'string' ? v : null);
const numberOrNull = (v: unknown) => (typeof v === 'number' ? v : null);

/**
 * Checks a GGUF file held in a Blob, reading only as much of its start as the header needs.
 */
export async function checkGguf(file: Blob): Promise<GgufCheck> {
  for (let readBytes = FIRST_READ_BYTES; readBytes <= MAX_HEADER_BYTES; readBytes *= 4) {
    const slice = new Uint8Array(await file.slice(0, readBytes).arrayBuffer());
    try {
      return parse(slice, file.size);
    } catch (cause) {
      if (!(cause instanceof NeedMoreBytes)) throw cause;
    }
  }
  return { ok: false, problem: 'not-gguf' };
}
