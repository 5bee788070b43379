/**
 * Cuts the pieces a download's body delivers (of any size) into chunks of `chunkBytes`, without
 * copying them: a chunk is handed on as the pieces (or parts of pieces) it is made of.
 */
export interface ChunkAssembler {
  /**
   * Takes the next bytes; each chunk they complete is handed to `onChunk`, awaited, before the
   * rest of them is taken.
   */
  push: (bytes: Uint8Array<ArrayBuffer>) => Promise<void>;
  /** Hands on the chunk being filled as it is (the file's last, shorter chunk), even if empty. */
  flush: () => Promise<void>;
  /** Bytes in the chunk being filled. */
  readonly filled: number;
  /** The pieces of the chunk being filled, as they arrived. */
  readonly pieces: readonly Uint8Array<ArrayBuffer>[];
}

export function createChunkAssembler(
  chunkBytes: number,
  onChunk: (pieces: Uint8Array<ArrayBuffer>[]) => Promise<void>,
): ChunkAssembler {
  let pieces: Uint8Array<ArrayBuffer>[] = [];
  let filled = 0;
  const flush = async () => {
    const chunk = pieces;
    pieces = [];
    filled = 0;
    await onChunk(chunk);
  };
  return {
    async push(bytes) {
      for (let at = 0; at < bytes.byteLength;) {
        const take = Math.min(bytes.byteLength - at, chunkBytes - filled);
        pieces.push(take === bytes.byteLength ? bytes : bytes.subarray(at, at + take));
        filled += take;
        at += take;
        if (filled === chunkBytes) await flush();
      }
    },
    flush,
    get filled() {
      return filled;
    },
    get pieces() {
      return pieces;
    },
  };
}

/** Up to the first `maxBytes` bytes of `pieces`, in one array. */
export function headOf(pieces: readonly Uint8Array[], maxBytes: number): Uint8Array {
  const head = new Uint8Array(maxBytes);
  let at = 0;
  for (const piece of pieces) {
    if (at >= maxBytes) break;
    const take = piece.subarray(0, maxBytes - at);
    head.set(take, at);
    at += take.byteLength;
  }
  return head.subarray(0, at);
}
