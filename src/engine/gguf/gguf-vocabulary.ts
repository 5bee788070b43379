/**
 * Reads a GGUF file's tokenizer metadata (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md):
 * everything llama.cpp's `llama_vocab::load` (src/llama-vocab.cpp) reads that changes how a text
 * becomes tokens. Only the header is read, in slices, so a multi-gigabyte model held in a Blob
 * (IndexedDB, a local file) costs a few megabytes. gguf-header.ts checks the same header for other
 * reasons and skips arrays; this module has its own cursor so that the two evolve independently.
 */

/** The `tokenizer.*` (and the few `general.*`) values that decide how llama.cpp tokenizes. */
export interface GgufVocabulary {
  /** `tokenizer.ggml.model`: `llama` (SentencePiece), `gpt2` (byte-level BPE), `bert`, `t5`… */
  model: string;
  /** `tokenizer.ggml.pre`, the BPE pre-tokenizer's name; null when absent. */
  pre: string | null;
  /** Token texts by id, decoded as UTF-8 (bytes that are not UTF-8 become U+FFFD). */
  tokens: string[];
  /** `tokenizer.ggml.scores` (SentencePiece merge priorities); null when absent. */
  scores: Float32Array | null;
  /** `tokenizer.ggml.token_type` (llama.cpp's `llama_token_type`); null when absent. */
  tokenTypes: Int32Array | null;
  /** `tokenizer.ggml.merges` in rank order (`"left right"`); null when absent. */
  merges: string[] | null;
  /**
   * Special token ids as the file states them, by the key's last part (`bos`, `eos`, `unknown`,
   * `eot`, `fim_pre`…, from `tokenizer.ggml.<name>_token_id`). llama.cpp falls back to defaults
   * where one is absent or out of range; the tokenizer applies that rule, not the reader.
   */
  specialIds: Readonly<Record<string, number>>;
  /** `tokenizer.ggml.add_bos_token`; null when absent (the tokenizer type's default applies). */
  addBos: boolean | null;
  /** `tokenizer.ggml.add_eos_token`; null when absent. */
  addEos: boolean | null;
  /** `tokenizer.ggml.add_space_prefix`; null when absent. */
  addSpacePrefix: boolean | null;
  /** `tokenizer.ggml.remove_extra_whitespaces`; null when absent. */
  removeExtraWhitespaces: boolean | null;
  /** `general.name`: llama.cpp gives Phi-3's special tokens a different whitespace rule by it. */
  modelName: string | null;
  architecture: string | null;
}

export type GgufVocabularyProblem =
  | { kind: 'not-gguf' }
  | { kind: 'unsupported-version'; version: number }
  /**
   * The header runs past the end of the file, or states a size the rest of the file cannot
   * hold: a cut-short download, or a damaged one.
   */
  | { kind: 'truncated'; fileBytes: number }
  /** A value of the wrong or an unknown type, a key that appears twice, too few scores. */
  | { kind: 'bad-metadata'; key: string; detail: string }
  /** The file has no `tokenizer.ggml.model` or no `tokenizer.ggml.tokens`. */
  | { kind: 'no-vocabulary' };

export type GgufVocabularyRead =
  { ok: true; vocabulary: GgufVocabulary } | { ok: false; problem: GgufVocabularyProblem };

const MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const SUPPORTED_VERSIONS = new Set([2, 3]);
/** A slice of the Blob read at a time: one call for most headers, few for a 256k vocabulary. */
const SLICE_BYTES = 4 << 20;

/** GGUF's metadata value types (`gguf_type`). */
const ValueType = {
  U8: 0,
  I8: 1,
  U16: 2,
  I16: 3,
  U32: 4,
  I32: 5,
  F32: 6,
  Bool: 7,
  String: 8,
  Array: 9,
  U64: 10,
  I64: 11,
  F64: 12,
} as const;

/** Bytes of each fixed-size value type; strings and arrays are sized inline. */
const FIXED_BYTES: Readonly<Record<number, number>> = {
  [ValueType.U8]: 1,
  [ValueType.I8]: 1,
  [ValueType.Bool]: 1,
  [ValueType.U16]: 2,
  [ValueType.I16]: 2,
  [ValueType.U32]: 4,
  [ValueType.I32]: 4,
  [ValueType.F32]: 4,
  [ValueType.U64]: 8,
  [ValueType.I64]: 8,
  [ValueType.F64]: 8,
};

/** The smallest an array item can be: a string is at least its 8-byte length. */
const minItemBytes = (type: number): number | undefined =>
  type === ValueType.String ? 8 : type === ValueType.Array ? 12 : FIXED_BYTES[type];

/** UTF-16 code units of a short text, reused between calls (64 bytes never need more). */
const units = new Uint16Array(64);

/**
 * Decodes well-formed UTF-8 of at most 64 bytes; null at the first flaw (an invalid or overlong
 * sequence, a surrogate), which the caller leaves to TextDecoder's exact replacement rules.
 */
function decodeShortUtf8(bytes: Uint8Array, start: number, end: number): string | null {
  let count = 0;
  for (let i = start; i < end;) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      units[count++] = lead;
      i++;
      continue;
    }
    const extra = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc2 ? 1 : 0;
    if (extra === 0 || lead > 0xf4 || i + extra >= end + 1) return null;
    let codepoint = lead & (0x3f >> extra);
    for (let k = 1; k <= extra; k++) {
      const next = bytes[i + k] ?? 0;
      if ((next & 0xc0) !== 0x80) return null;
      codepoint = (codepoint << 6) | (next & 0x3f);
    }
    const smallest = extra === 1 ? 0x80 : extra === 2 ? 0x800 : 0x10000;
    if (
      codepoint < smallest ||
      codepoint > 0x10ffff ||
      (codepoint >= 0xd800 && codepoint < 0xe000)
    ) {
      return null;
    }
    if (codepoint > 0xffff) {
      codepoint -= 0x10000;
      units[count++] = 0xd800 + (codepoint >> 10);
      units[count++] = 0xdc00 + (codepoint & 0x3ff);
    } else {
      units[count++] = codepoint;
    }
    i += extra + 1;
  }
  return String.fromCharCode(...units.subarray(0, count));
}

class Truncated extends Error {}
class BadMetadata extends Error {
  constructor(
    readonly key: string,
    readonly detail: string,
  ) {
    super(`${key}: ${detail}`);
  }
}

/**
 * A forward-only cursor over a Blob that holds one slice at a time. Reads are synchronous while
 * the slice has the bytes (`has`), so the hot loops (256k token strings) await only at a slice's
 * end.
 */
class BlobCursor {
  private bytes = new Uint8Array(0);
  private view = new DataView(this.bytes.buffer);
  /** File offset of `bytes[0]`. */
  private start = 0;
  /** File offset of the next byte to read. */
  offset = 0;
  private readonly utf8 = new TextDecoder();

  constructor(private readonly file: Blob) {}

  get fileBytes(): number {
    return this.file.size;
  }

  has(n: number): boolean {
    return this.offset + n <= this.start + this.bytes.byteLength;
  }

  /** Makes the next `n` bytes readable. */
  async need(n: number): Promise<void> {
    if (this.has(n)) return;
    if (this.offset + n > this.file.size) throw new Truncated();
    const end = Math.min(this.file.size, this.offset + Math.max(n, SLICE_BYTES));
    this.bytes = new Uint8Array(await this.file.slice(this.offset, end).arrayBuffer());
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    this.start = this.offset;
  }

  private take(n: number): number {
    const at = this.offset - this.start;
    this.offset += n;
    return at;
  }

  u8 = () => this.view.getUint8(this.take(1));
  u32 = () => this.view.getUint32(this.take(4), true);
  i32 = () => this.view.getInt32(this.take(4), true);
  f32 = () => this.view.getFloat32(this.take(4), true);
  /**
   * A u64 as a number (two u32 reads: a BigInt per string length would cost more than the rest
   * of the read). Past 2^53 it loses precision, but no size that large fits a file anyway.
   */
  u64 = () => {
    const at = this.take(8);
    return this.view.getUint32(at, true) + this.view.getUint32(at + 4, true) * 2 ** 32;
  };
  i64 = () => Number(this.view.getBigInt64(this.take(8), true));

  /** The next `length` bytes as UTF-8 (they must be readable: `has(length)`). */
  text(length: number): string {
    const at = this.take(length);
    // Token texts are short: decoding them by hand beats TextDecoder's cost per call.
    return (
      (length <= 64 ? decodeShortUtf8(this.bytes, at, at + length) : null) ??
      this.utf8.decode(this.bytes.subarray(at, at + length))
    );
  }

  /** Bytes left in the file after the cursor: what any size read here must fit in. */
  get remaining(): number {
    return this.file.size - this.offset;
  }
}

async function readString(cursor: BlobCursor): Promise<string> {
  if (!cursor.has(8)) await cursor.need(8);
  const length = cursor.u64();
  if (length > cursor.remaining) throw new Truncated();
  if (!cursor.has(length)) await cursor.need(length);
  return cursor.text(length);
}

type Scalar = string | number | boolean;

async function readScalar(cursor: BlobCursor, type: number, key: string): Promise<Scalar> {
  if (type === ValueType.String) return readString(cursor);
  const size = FIXED_BYTES[type];
  if (size === undefined) throw new BadMetadata(key, `unknown value type ${type}`);
  if (!cursor.has(size)) await cursor.need(size);
  switch (type) {
    case ValueType.U8:
      return cursor.u8();
    case ValueType.I8:
      return (cursor.u8() << 24) >> 24;
    case ValueType.Bool:
      return cursor.u8() !== 0;
    case ValueType.U32:
      return cursor.u32();
    case ValueType.I32:
      return cursor.i32();
    case ValueType.F32:
      return cursor.f32();
    case ValueType.U64:
      return cursor.u64();
    case ValueType.I64:
      return cursor.i64();
    default: {
      // u16, i16, f64: nothing the tokenizer reads has these types; keep the cursor in step.
      for (let i = 0; i < size; i++) cursor.u8();
      return Number.NaN;
    }
  }
}

/** An array's header, with its count bounded by what the rest of the file could hold. */
async function readArrayHeader(
  cursor: BlobCursor,
  key: string,
): Promise<{ itemType: number; count: number }> {
  if (!cursor.has(12)) await cursor.need(12);
  const itemType = cursor.u32();
  const count = cursor.u64();
  const itemBytes = minItemBytes(itemType);
  if (itemBytes === undefined) throw new BadMetadata(key, `unknown item type ${itemType}`);
  // Checked before anything is allocated for them.
  if (count * itemBytes > cursor.remaining) throw new Truncated();
  return { itemType, count };
}

async function skipArray(cursor: BlobCursor, key: string): Promise<void> {
  const { itemType, count } = await readArrayHeader(cursor, key);
  const fixed = FIXED_BYTES[itemType];
  if (fixed !== undefined) {
    // Skipped bytes need not be read: jump ahead, reading a slice only where the cursor lands.
    // (the count was checked against the file's size, and the next read fetches its own slice).
    cursor.offset += fixed * count;
    return;
  }
  for (let i = 0; i < count; i++) {
    if (itemType === ValueType.String) await readString(cursor);
    else await skipArray(cursor, key);
  }
}

async function readStringArray(cursor: BlobCursor, count: number): Promise<string[]> {
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    // The synchronous path: an await per string would cost more than the decoding.
    if (cursor.has(8)) {
      const at = cursor.offset;
      const length = cursor.u64();
      if (cursor.has(length)) {
        out[i] = cursor.text(length);
        continue;
      }
      cursor.offset = at;
    }
    out[i] = await readString(cursor);
  }
  return out;
}

async function readNumberArray<T extends Float32Array | Int32Array>(
  cursor: BlobCursor,
  itemType: number,
  count: number,
  out: T,
): Promise<T> {
  for (let i = 0; i < count; i++) {
    if (!cursor.has(4)) await cursor.need(4);
    out[i] = itemType === ValueType.F32 ? cursor.f32() : cursor.i32();
  }
  return out;
}

const SPECIAL_ID_KEY = /^tokenizer\.ggml\.([a-z_]+)_token_id$/;

/** Parses the header; throws Truncated or BadMetadata. */
async function parse(cursor: BlobCursor): Promise<GgufVocabularyRead> {
  await cursor.need(Math.min(24, cursor.fileBytes));
  if (cursor.fileBytes < 24 || cursor.u32() !== MAGIC) {
    return { ok: false, problem: { kind: 'not-gguf' } };
  }
  const version = cursor.u32();
  if (!SUPPORTED_VERSIONS.has(version)) {
    return { ok: false, problem: { kind: 'unsupported-version', version } };
  }
  cursor.u64(); // tensor count: the tokenizer needs no tensor
  const metadataCount = cursor.u64();
  // A key is at least its 8-byte length and 4-byte type, and the smallest value is 1 byte.
  if (metadataCount * 13 > cursor.remaining) throw new Truncated();

  const scalars = new Map<string, Scalar>();
  const seen = new Set<string>();
  let tokens: string[] | null = null;
  let merges: string[] | null = null;
  let scores: Float32Array | null = null;
  let tokenTypes: Int32Array | null = null;

  for (let i = 0; i < metadataCount; i++) {
    const key = await readString(cursor);
    // gguf.cpp refuses a file whose keys repeat, so llama.cpp never tokenizes with one.
    if (seen.has(key)) throw new BadMetadata(key, 'the key appears twice');
    seen.add(key);
    if (!cursor.has(4)) await cursor.need(4);
    const type = cursor.u32();
    if (type !== ValueType.Array) {
      scalars.set(key, await readScalar(cursor, type, key));
      continue;
    }
    if (key === 'tokenizer.ggml.tokens' || key === 'tokenizer.ggml.merges') {
      const { itemType, count } = await readArrayHeader(cursor, key);
      if (itemType !== ValueType.String) throw new BadMetadata(key, 'not an array of strings');
      const strings = await readStringArray(cursor, count);
      if (key === 'tokenizer.ggml.tokens') tokens = strings;
      else merges = strings;
    } else if (key === 'tokenizer.ggml.scores' || key === 'tokenizer.ggml.token_type') {
      const { itemType, count } = await readArrayHeader(cursor, key);
      const isScores = key === 'tokenizer.ggml.scores';
      // llama.cpp's own rule: scores are f32 or i32, token types i32.
      const allowed: readonly number[] = isScores
        ? [ValueType.F32, ValueType.I32]
        : [ValueType.I32];
      if (!allowed.includes(itemType)) throw new BadMetadata(key, `item type ${itemType}`);
      if (isScores) {
        const read = await readNumberArray(
          cursor,
          itemType,
          count,
          itemType === ValueType.F32 ? new Float32Array(count) : new Int32Array(count),
        );
        scores = read instanceof Float32Array ? read : Float32Array.from(read);
      } else {
        tokenTypes = await readNumberArray(cursor, itemType, count, new Int32Array(count));
      }
    } else {
      await skipArray(cursor, key);
    }
  }

  const model = scalars.get('tokenizer.ggml.model');
  if (typeof model !== 'string' || tokens === null) {
    return { ok: false, problem: { kind: 'no-vocabulary' } };
  }
  const vocabularySize = tokens.length;
  if (scores !== null && scores.length < vocabularySize) {
    throw new BadMetadata('tokenizer.ggml.scores', 'fewer scores than tokens');
  }
  if (tokenTypes !== null && tokenTypes.length < vocabularySize) {
    throw new BadMetadata('tokenizer.ggml.token_type', 'fewer types than tokens');
  }

  const specialIds: Record<string, number> = {};
  for (const [key, value] of scalars) {
    const name = SPECIAL_ID_KEY.exec(key)?.[1];
    if (name !== undefined && typeof value === 'number' && Number.isInteger(value)) {
      specialIds[name] = value;
    }
  }
  const flag = (key: string) => {
    const value = scalars.get(`tokenizer.ggml.${key}`);
    return typeof value === 'boolean' ? value : null;
  };
  const text = (key: string) => {
    const value = scalars.get(key);
    return typeof value === 'string' ? value : null;
  };
  return {
    ok: true,
    vocabulary: {
      model,
      pre: text('tokenizer.ggml.pre'),
      tokens,
      scores,
      tokenTypes,
      merges,
      specialIds,
      addBos: flag('add_bos_token'),
      addEos: flag('add_eos_token'),
      addSpacePrefix: flag('add_space_prefix'),
      removeExtraWhitespaces: flag('remove_extra_whitespaces'),
      modelName: text('general.name'),
      architecture: text('general.architecture'),
    },
  };
}

/**
 * Reads the tokenizer metadata of a GGUF file held in a Blob. Only the header is read, a slice
 * at a time, and every size the file states is checked against the file's own size before
 * anything is allocated, so a damaged or hostile file fails with a problem, never an
 * out-of-memory.
 */
export async function readGgufVocabulary(file: Blob): Promise<GgufVocabularyRead> {
  const cursor = new BlobCursor(file);
  try {
    return await parse(cursor);
  } catch (cause) {
    if (cause instanceof Truncated) {
      return { ok: false, problem: { kind: 'truncated', fileBytes: file.size } };
    }
    if (cause instanceof BadMetadata) {
      return { ok: false, problem: { kind: 'bad-metadata', key: cause.key, detail: cause.detail } };
    }
    throw cause;
  }
}
