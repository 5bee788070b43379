/**
 * Splits a GGUF file into two valid parts, as llama.cpp's `gguf-split` does: the first part
 * keeps every metadata key, each part holds some tensors (their offsets relative to its own
 * data section), and both carry `split.no`, `split.count` and `split.tensors.count`. It lets
 * the tests load a split model without a 2 GB file.
 */
import { FIXED_SIZES } from '../../src/engine/gguf/gguf-header.ts';

const DEFAULT_ALIGNMENT = 32;

class Reader {
  offset = 0;
  constructor(private readonly view: DataView) {}
  u32() {
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }
  u64() {
    const v = Number(this.view.getBigUint64(this.offset, true));
    this.offset += 8;
    return v;
  }
  skip(bytes: number) {
    this.offset += bytes;
  }
  string() {
    const length = this.u64();
    const start = this.offset;
    this.offset += length;
    return new TextDecoder().decode(
      new Uint8Array(this.view.buffer, this.view.byteOffset + start, length),
    );
  }
  /** Skips a value of GGUF type `type`, returning it when it is a number. */
  value(type: number): number | null {
    if (type === 8) {
      this.string();
      return null;
    }
    if (type === 9) {
      const itemType = this.u32();
      const count = this.u64();
      for (let i = 0; i < count; i++) this.value(itemType);
      return null;
    }
    const size = FIXED_SIZES[type];
    if (size === undefined) throw new Error(`unknown GGUF type ${type}`);
    const v = type === 4 ? this.view.getUint32(this.offset, true) : null;
    this.skip(size);
    return v;
  }
}

const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
const u64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
};
const str = (s: string) => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);
const kvU16 = (key: string, v: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return Buffer.concat([str(key), u32(2), b]);
};
const kvI32 = (key: string, v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  return Buffer.concat([str(key), u32(5), b]);
};
const pad = (length: number, alignment: number) =>
  Buffer.alloc((alignment - (length % alignment)) % alignment);

interface TensorInfo {
  raw: Buffer; // name, dims and type, without the offset
  offset: number;
}

export function splitGguf(file: Buffer): [Buffer, Buffer] {
  const reader = new Reader(new DataView(file.buffer, file.byteOffset, file.byteLength));
  reader.u32(); // magic
  const version = reader.u32();
  const tensorCount = reader.u64();
  const kvCount = reader.u64();
  const kvStart = reader.offset;
  let alignment = DEFAULT_ALIGNMENT;
  for (let i = 0; i < kvCount; i++) {
    const key = reader.string();
    const value = reader.value(reader.u32());
    if (key === 'general.alignment' && value !== null) alignment = value;
  }
  const kvs = file.subarray(kvStart, reader.offset);

  const tensors: TensorInfo[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const start = reader.offset;
    reader.string();
    const dims = reader.u32();
    reader.skip(dims * 8 + 4);
    const raw = file.subarray(start, reader.offset);
    tensors.push({ raw: Buffer.from(raw), offset: reader.u64() });
  }
  if (tensors.some((t, i) => i > 0 && t.offset < (tensors[i - 1] as TensorInfo).offset)) {
    throw new Error('tensor data is not in tensor order; this splitter needs it to be');
  }
  const dataStart = Math.ceil(reader.offset / alignment) * alignment;
  const half = Math.floor(tensorCount / 2);
  const splitOffset = (tensors[half] as TensorInfo).offset;

  const part = (
    index: number,
    own: TensorInfo[],
    base: number,
    data: Buffer,
    metadata: Buffer,
    metadataCount: number,
  ) => {
    const header = Buffer.concat([
      Buffer.from('GGUF'),
      u32(version),
      u64(own.length),
      u64(metadataCount + 3),
      metadata,
      kvU16('split.no', index),
      kvU16('split.count', 2),
      kvI32('split.tensors.count', tensorCount),
      ...own.flatMap((t) => [t.raw, u64(t.offset - base)]),
    ]);
    return Buffer.concat([header, pad(header.length, alignment), data]);
  };
  const alignmentKv =
    alignment === DEFAULT_ALIGNMENT
      ? Buffer.alloc(0)
      : Buffer.concat([str('general.alignment'), u32(4), u32(alignment)]);
  return [
    part(
      0,
      tensors.slice(0, half),
      0,
      file.subarray(dataStart, dataStart + splitOffset),
      kvs,
      kvCount,
    ),
    part(
      1,
      tensors.slice(half),
      splitOffset,
      file.subarray(dataStart + splitOffset),
      alignmentKv,
      alignmentKv.length > 0 ? 1 : 0,
    ),
  ];
}
