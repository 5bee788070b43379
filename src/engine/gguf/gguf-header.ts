/**
 * Reads the header of a GGUF file (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md) far
 * enough to reject what llama.cpp would choke on with a clear reason, before the bytes reach it:
 * not a GGUF file, an unsupported version, a file cut short (a tensor's data lies past the end),
 * or a malformed header (one that no complete copy of the file could make loadable).
 *
 * The file may be hostile: every count and length is checked against what the bytes can hold
 * before anything is read or allocated for it, so a header that claims 10^12 tensors or a string
 * of 2^64 bytes costs nothing more than the bytes the file really has.
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
  /**
   * The header is plausible but the file ends before what it describes: a copy cut short.
   * `requiredBytes` is null when even the header is cut short.
   */
  | { ok: false; problem: 'truncated'; requiredBytes: number | null; actualBytes: number }
  /**
   * The header contradicts the format or itself (absurd counts, lengths or sizes, overlapping
   * tensors, a bad alignment): the file is broken at its source, so no download can mend it.
   * `detail` says what, in a few words a person can read.
   */
  | { ok: false; problem: 'malformed'; detail: string };

/** What `checkGguf` reads: a Blob, or anything that gives a range of its bytes like one. */
export interface GgufSource {
  size: number;
  slice: (start: number, end: number) => { arrayBuffer: () => Promise<ArrayBuffer> };
}

const MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const SUPPORTED_VERSIONS = new Set([2, 3]);
const DEFAULT_ALIGNMENT = 32;
/** The first read; most headers fit (a 32,000-token vocabulary takes about 700 KB). */
const FIRST_READ_BYTES = 64 << 10;
/**
 * Real headers (vocabularies of 250,000 tokens included) take a few MiB; a count or length that
 * needs more than this cannot be a real one, so it is malformed, not a reason to read on.
 */
const MAX_HEADER_BYTES = 256 << 20;
/**
 * The largest tensor data any real model has is around 2^41 bytes (a trillion parameters in
 * BF16); a header that describes more than 2^48 (256 TiB) describes no model.
 */
const MAX_DATA_BYTES = 2n ** 48n;
/** llama.cpp's own limits (ggml.h `GGML_MAX_NAME`, `GGML_MAX_DIMS`; gguf.cpp). */
const MAX_NAME_BYTES = 63;
const MAX_DIMS = 4;
const MAX_ARRAY_ITEMS = 2 ** 30;
const INT64_LIMIT = 2n ** 63n - 1n;
/**
 * ggml has about 40 tensor types and adds one now and then. A type this app does not know is
 * let through (a newer llama.cpp may read it), but an id past this one is no type at all.
 */
const MAX_TENSOR_TYPE = 255;
/** The fewest bytes a metadata entry (a 1-byte key and a u8) and a tensor's info take. */
const MIN_ENTRY_BYTES = 8 + 1 + 4 + 1;
const MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;
const STRING_TYPE = 8;
const ARRAY_TYPE = 9;
const ALIGNMENT_KEY = 'general.alignment';

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
class NeedMoreBytes extends Error {
  constructor(readonly needed: number) {
    super(`the header needs ${needed} bytes`);
  }
}
/** Thrown by the cursor when the header runs past the end of the whole file. */
class HeaderOverrun extends Error {}
/** Thrown where the header breaks the format; the message says how, for people. */
class Malformed extends Error {}

/** A count for people: exact where a double holds it, else its size. */
const countText = (n: number | bigint) =>
  n < 1e15 ? n.toLocaleString('en-US') : `about ${Number(n).toExponential(1)}`;

/** Text from the file, made safe to show: printable, and short whatever the file claims. */
function quoted(text: string): string {
  const printable = text.replace(/[\p{Cc}\p{Cf}]/gu, '?');
  return `"${printable.length > 40 ? `${printable.slice(0, 40)}…` : printable}"`;
}

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
      throw this.isWholeFile ? new HeaderOverrun() : new NeedMoreBytes(this.offset + n);
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  /** A u64 exactly, for sizes and offsets that are compared or multiplied. */
  u64(): bigint {
    return this.view.getBigUint64(this.take(8), true);
  }

  /**
   * A count of items of at least `itemBytes` each, refused as malformed when they could not
   * fit in any real header: nothing is ever allocated or looped over for a claim alone.
   */
  count(itemBytes: number, what: (n: bigint) => string): number {
    const at = this.take(8);
    // Two halves, not a BigInt: this runs for every string of a 250,000-token vocabulary. Past
    // 2^53 the sum is inexact, but then it is far past the limit as well.
    const n = this.view.getUint32(at + 4, true) * 2 ** 32 + this.view.getUint32(at, true);
    if (n * itemBytes > MAX_HEADER_BYTES - this.offset) {
      throw new Malformed(what(this.view.getBigUint64(at, true)));
    }
    return n;
  }

  /** A string; one longer than `limit` bytes (where given) is malformed with its message. */
  string(what: (length: bigint) => string, limit?: { bytes: number; message: string }): string {
    const length = this.count(1, what);
    if (limit && length > limit.bytes) throw new Malformed(limit.message);
    const at = this.take(length);
    return this.decoder.decode(this.bytes.subarray(at, at + length));
  }

  skipString(what: (length: bigint) => string): void {
    this.take(this.count(1, what));
  }

  /** Reads one metadata value of `key`; returns scalars and strings, skips arrays. */
  value(type: number, key: string): string | number | boolean | null {
    const fixed = FIXED_SIZES[type];
    if (type === STRING_TYPE) {
      return this.string((n) => `the value of ${quoted(key)} claims ${countText(n)} bytes`);
    }
    if (type === ARRAY_TYPE) {
      const itemType = this.u32();
      if (itemType === ARRAY_TYPE) {
        throw new Malformed(`${quoted(key)} is an array of arrays, which llama.cpp does not read`);
      }
      const itemBytes = itemType === STRING_TYPE ? 8 : FIXED_SIZES[itemType];
      if (itemBytes === undefined) {
        throw new Malformed(`${quoted(key)} holds items of type ${itemType}, which GGUF lacks`);
      }
      const claim = (n: bigint) => `${quoted(key)} claims an array of ${countText(n)} items`;
      const count = this.count(itemBytes, claim);
      if (count > MAX_ARRAY_ITEMS) throw new Malformed(claim(BigInt(count)));
      const itemClaim = (n: bigint) => `an item of ${quoted(key)} claims ${countText(n)} bytes`;
      // Items are skipped, not kept: only scalars and strings matter here.
      if (itemType !== STRING_TYPE) this.take(itemBytes * count);
      else for (let i = 0; i < count; i++) this.skipString(itemClaim);
      return null;
    }
    if (fixed === undefined) {
      throw new Malformed(`${quoted(key)} has value type ${type}, which GGUF lacks`);
    }
    const at = this.take(fixed);
    switch (type) {
      case 0: // u8
        return this.view.getUint8(at);
      case 1: // i8
        return this.view.getInt8(at);
      case 7: // bool
        return this.view.getUint8(at) !== 0;
      case 2: // u16
        return this.view.getUint16(at, true);
      case 3: // i16
        return this.view.getInt16(at, true);
      case 4: // u32
        return this.view.getUint32(at, true);
      case 5: // i32
        return this.view.getInt32(at, true);
      case 6: // f32
        return this.view.getFloat32(at, true);
      case 10: // u64
        return Number(this.view.getBigUint64(at, true));
      case 11: // i64
        return Number(this.view.getBigInt64(at, true));
      default: // 12: f64
        return this.view.getFloat64(at, true);
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

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;

function parse(bytes: Uint8Array, fileBytes: number): GgufCheck {
  const cursor = new Cursor(bytes, bytes.byteLength >= fileBytes);
  if (fileBytes < 8 || cursor.u32() !== MAGIC) return { ok: false, problem: 'not-gguf' };
  const version = cursor.u32();
  if (!SUPPORTED_VERSIONS.has(version))
    return { ok: false, problem: 'unsupported-version', version };

  try {
    const tensorCount = cursor.count(
      MIN_TENSOR_INFO_BYTES,
      (n) => `it claims ${countText(n)} tensors`,
    );
    const metadataCount = cursor.count(
      MIN_ENTRY_BYTES,
      (n) => `it claims ${countText(n)} metadata entries`,
    );
    const metadata = new Map<string, string | number | boolean>();
    const keys = new Set<string>();
    let alignment = DEFAULT_ALIGNMENT;
    for (let i = 0; i < metadataCount; i++) {
      const key = cursor.string((n) => `metadata key ${i + 1} claims ${countText(n)} bytes`);
      if (key === '') throw new Malformed(`metadata key ${i + 1} is empty`);
      if (keys.has(key)) throw new Malformed(`the key ${quoted(key)} appears twice`);
      keys.add(key);
      const type = cursor.u32();
      const value = cursor.value(type, key);
      if (key === ALIGNMENT_KEY) {
        // llama.cpp reads it as a u32 and pads with it: anything else breaks every offset.
        if (type !== 4 || typeof value !== 'number' || !isPowerOfTwo(value)) {
          throw new Malformed(`its alignment (${ALIGNMENT_KEY}) is not a power of 2`);
        }
        alignment = value;
      }
      if (value !== null) metadata.set(key, value);
    }

    const names = new Set<string>();
    const align = BigInt(alignment);
    /** Where the next tensor must start in the data (unknown after a tensor of unknown size). */
    let expectedOffset: bigint | null = 0n;
    let lastOffset = 0n;
    let dataEnd = 0n;
    let allTypesKnown = true;
    let parameters = 0;
    let weightBytes = 0n;
    for (let i = 0; i < tensorCount; i++) {
      const name = cursor.string((n) => `tensor ${i + 1}'s name claims ${countText(n)} bytes`, {
        bytes: MAX_NAME_BYTES,
        message: `tensor ${i + 1}'s name is longer than llama.cpp allows (63 bytes)`,
      });
      const label = quoted(name);
      if (names.has(name)) throw new Malformed(`two tensors are named ${label}`);
      names.add(name);
      const dimCount = cursor.u32();
      if (dimCount > MAX_DIMS) {
        throw new Malformed(`tensor ${label} has ${countText(dimCount)} dimensions (at most 4)`);
      }
      const dims: bigint[] = [];
      for (let d = 0; d < dimCount; d++) dims.push(cursor.u64());
      if (dims.some((n) => n > INT64_LIMIT)) {
        throw new Malformed(`tensor ${label} has a negative size`);
      }
      const elements = dims.reduce((a, b) => a * b, 1n);
      if (elements >= INT64_LIMIT) {
        throw new Malformed(`tensor ${label} has more elements than llama.cpp can count`);
      }
      const type = cursor.u32();
      if (type > MAX_TENSOR_TYPE) {
        throw new Malformed(`tensor ${label} has type ${countText(type)}, which is no ggml type`);
      }
      const offset = cursor.u64();
      if (expectedOffset !== null ? offset !== expectedOffset : offset % align !== 0n) {
        throw new Malformed(
          `tensor ${label} starts at byte ${countText(offset)} of the data, not ${
            expectedOffset === null ? `at a multiple of ${alignment}` : countText(expectedOffset)
          } (tensors overlap, leave gaps or lie outside the file)`,
        );
      }
      if (offset < lastOffset) throw new Malformed(`tensor ${label} starts before the one before`);
      lastOffset = offset;

      const block = GGML_BLOCKS[type];
      if (!block) {
        allTypesKnown = false;
        expectedOffset = null;
        continue;
      }
      const [blockElements, blockBytes] = block;
      const rowLength = dims[0] ?? 1n;
      if (rowLength % BigInt(blockElements) !== 0n) {
        throw new Malformed(
          `tensor ${label}'s rows of ${countText(rowLength)} do not divide into its type's blocks of ${blockElements}`,
        );
      }
      const tensorBytes = (elements / BigInt(blockElements)) * BigInt(blockBytes);
      const end = offset + tensorBytes;
      if (end > MAX_DATA_BYTES) {
        throw new Malformed(
          `its tensors take ${countText(end)} bytes, more than any model (tensor ${label})`,
        );
      }
      dataEnd = end > dataEnd ? end : dataEnd;
      expectedOffset = ((end + align - 1n) / align) * align;
      parameters += Number(elements);
      weightBytes += tensorBytes;
    }

    // llama.cpp pads the header to the alignment only when tensors follow it.
    const dataStart =
      tensorCount > 0 ? Math.ceil(cursor.offset / alignment) * alignment : cursor.offset;
    const requiredBytes = allTypesKnown ? dataStart + Number(dataEnd) : null;
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
        contextLength: sizeOrNull(metadata.get(`${architecture}.context_length`)),
        hasChatTemplate: typeof metadata.get('tokenizer.chat_template') === 'string',
        quantization: FILE_TYPES[Number(metadata.get('general.file_type'))] ?? null,
        attention: attentionOf(metadata, architecture),
        requiredBytes,
        weights: allTypesKnown ? { parameters, bytes: Number(weightBytes) } : null,
      },
    };
  } catch (cause) {
    if (cause instanceof HeaderOverrun) {
      return { ok: false, problem: 'truncated', requiredBytes: null, actualBytes: fileBytes };
    }
    if (cause instanceof Malformed)
      return { ok: false, problem: 'malformed', detail: cause.message };
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
  const n = (key: string) => sizeOrNull(metadata.get(`${architecture}.${key}`));
  const layers = n('block_count');
  const heads = n('attention.head_count');
  const kvHeads = n('attention.head_count_kv') ?? heads;
  const embedding = n('embedding_length');
  const headDim = n('attention.key_length') ?? (embedding && heads ? embedding / heads : null);
  if (!layers || !kvHeads || !headDim) return null;
  return { layers, kvHeads, headDim };
}

const stringOrNull = (v: unknown) => (typeof v === 'string' ? v : null);
/** A size the header states (layers, heads, context): a positive whole number, or null. */
const sizeOrNull = (v: unknown) =>
  typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : null;

/**
 * Checks a GGUF file held in a Blob, reading only as much of its start as the header needs:
 * never past the file's end, and never more because of what the header merely claims.
 */
export async function checkGguf(file: GgufSource): Promise<GgufCheck> {
  let readBytes = Math.min(FIRST_READ_BYTES, file.size);
  for (;;) {
    const slice = new Uint8Array(await file.slice(0, readBytes).arrayBuffer());
    try {
      return parse(slice, file.size);
    } catch (cause) {
      if (!(cause instanceof NeedMoreBytes)) throw cause;
      // Growing by 4 keeps the re-reads of the start under a third of the header.
      const next = Math.min(file.size, Math.max(cause.needed, readBytes * 4));
      // A Blob that gives fewer bytes than its size says cannot be read to its end.
      if (next <= readBytes) {
        return { ok: false, problem: 'truncated', requiredBytes: null, actualBytes: file.size };
      }
      readBytes = next;
    }
  }
}
