import type { EngineError } from '../../shared/engine-protocol.ts';
import { classifyError, EngineFailure } from '../../shared/engine-failure.ts';
import { createChunkAssembler, headOf } from './chunk-assembler.ts';
import { openTransfer, resumablePartial } from './resume-negotiation.ts';
import type { ChunkHasher } from './sha256-hasher.ts';
import {
  beginFile,
  type FileManifest,
  type FileWriter,
  type NewFile,
  type ShardStore,
} from '../../shared/shard-store.ts';
import { hasherFor } from './stored-file-hasher.ts';

export interface StoreOptions<Verified> {
  signal: AbortSignal;
  /** Bytes stored or arriving so far (resumed bytes included) and the file's size if known. */
  onProgress: (loadedBytes: number, totalBytes: number | null) => void;
  /**
   * Looks at the first bytes (up to 64) before the rest is stored, and throws an `EngineFailure`
   * to refuse a file that is plainly not what was expected.
   */
  checkHead: (head: Uint8Array) => void;
  /**
   * Called once the size of what is left to store is known, before any byte of it is stored;
   * throws `not-enough-storage` to refuse a file that will not fit.
   */
  ensureSpace: (neededBytes: number) => Promise<void>;
  /**
   * Checks the whole file once every byte is stored and its size and hash are right, before it is
   * marked complete; returns what it learnt and the file's quantization for the manifest.
   */
  verify: (file: Blob) => Promise<{ verified: Verified; quantization: string | null }>;
}

export interface Stored<Verified> {
  manifest: FileManifest;
  verified: Verified;
  /** The file as stored (read back from IndexedDB, so it does not hold the bytes in memory). */
  file: Blob;
}

const HEAD_BYTES = 64;
/** Chunk writes that may be pending at once (memory: this many chunks, up to 8 MiB each). */
const WRITES_IN_FLIGHT = 2;
const PROGRESS_INTERVAL_MS = 100;

/**
 * Streams `file.url` into the shard store chunk by chunk, each chunk recorded as it is stored,
 * and commits the file only when its size is right, its SHA-256 matches (when one is known) and
 * `verify` accepts it. A partial file of the same source is resumed with a Range request; a
 * server that ignores Range gets a clean restart.
 *
 * What stays after a failure: an interrupted transfer (dropped connection, cancel, full quota,
 * HTTP error) keeps the stored chunks for a later resume; wrong bytes (bad head, size or hash, a
 * failed `verify`) are discarded, so nothing wrong is ever offered as ready or resumed.
 *
 * @throws EngineFailure `download-failed`, `download-incomplete`, `size-mismatch`,
 * `checksum-mismatch`, `not-enough-storage`, `storage-full`, `cancelled`, or whatever
 * `checkHead` or `verify` throw.
 */
export async function downloadToStore<Verified>(
  store: ShardStore,
  file: NewFile,
  options: StoreOptions<Verified>,
): Promise<Stored<Verified>> {
  const { url } = file;
  let writer = await resumablePartial(store, file);
  // With the size known from the listing, a file that will not fit is refused before any request.
  const knownSize = writer?.manifest.sizeBytes ?? file.sizeBytes;
  if (knownSize !== null)
    await options.ensureSpace(knownSize - (writer?.manifest.storedBytes ?? 0));
  const transfer = await openTransfer(url, options.signal, writer?.manifest ?? null);
  if (!transfer.resumed) writer = null;

  const resumeAt = writer?.manifest.storedBytes ?? 0;
  const totalBytes = transfer.sizeBytes;
  const { body } = transfer;
  try {
    if (file.sizeBytes !== null && totalBytes !== null && totalBytes !== file.sizeBytes) {
      throw new EngineFailure({
        kind: 'size-mismatch',
        url,
        expectedBytes: file.sizeBytes,
        actualBytes: totalBytes,
      });
    }
    await options.ensureSpace((totalBytes ?? file.sizeBytes ?? 0) - resumeAt);
  } catch (cause) {
    await body.cancel().catch(() => undefined);
    throw cause;
  }
  writer ??= await beginFile(store, {
    ...file,
    sizeBytes: totalBytes ?? file.sizeBytes,
    validator: transfer.validator,
  });
  return storeStream(store, writer, body.getReader(), options);
}

/**
 * Copies a file picked on this device into the store under `file.url` (no network). It is
 * checked like a download; a failed copy is discarded (picking the file again is instant).
 */
export async function importToStore<Verified>(
  store: ShardStore,
  source: Blob,
  file: NewFile,
  options: StoreOptions<Verified>,
): Promise<Stored<Verified>> {
  await options.ensureSpace(source.size);
  const writer = await beginFile(store, { ...file, sizeBytes: source.size });
  try {
    return await storeStream(store, writer, source.stream().getReader(), options);
  } catch (cause) {
    await writer.discard().catch(() => undefined);
    throw cause;
  }
}

async function storeStream<Verified>(
  store: ShardStore,
  writer: FileWriter,
  reader: ReadableStreamDefaultReader<Uint8Array<ArrayBuffer>>,
  { signal, onProgress, checkHead, verify }: StoreOptions<Verified>,
): Promise<Stored<Verified>> {
  const { url, chunkBytes, sizeBytes: totalBytes, sha256 } = writer.manifest;
  const resumeAt = writer.manifest.storedBytes;
  let received = 0;
  let headChecked = resumeAt > 0; // checked when the first bytes arrived
  let lastReport = 0;
  // Chunks are written while the next ones arrive, up to WRITES_IN_FLIGHT at once; the SHA-256
  // is computed in a worker of its own, so neither holds up the download.
  const writes: Promise<void>[] = [];
  let hasher: ChunkHasher | null = null;

  const checkHeadOnce = (pieces: readonly Uint8Array[]) => {
    if (headChecked) return;
    checkHead(headOf(pieces, HEAD_BYTES));
    headChecked = true;
  };
  const settleWrites = () => Promise.all(writes.splice(0));

  try {
    hasher = await hasherFor(store, writer.manifest);
    // A chunk's pieces are as the network delivered them: its Blob is their only copy, and the
    // hash worker takes them over.
    const chunks = createChunkAssembler(chunkBytes, async (pieces) => {
      checkHeadOnce(pieces);
      if (writes.length >= WRITES_IN_FLIGHT) await writes.shift();
      // The Blob takes its own copy at once; then the pieces can move to the hash worker.
      const write = writer.append(new Blob(pieces), hasher?.progress);
      write.catch(() => undefined); // awaited (and thrown) below
      writes.push(write);
      for (const piece of pieces) hasher?.update(ownBuffer(piece));
    });

    for (;;) {
      const { done, value } = await reader.read();
      signal.throwIfAborted();
      if (done) break;
      received += value.byteLength;
      await chunks.push(value);
      if (chunks.filled >= HEAD_BYTES) checkHeadOnce(chunks.pieces);
      const now = Date.now();
      if (now - lastReport >= PROGRESS_INTERVAL_MS) {
        lastReport = now;
        onProgress(resumeAt + received, totalBytes);
      }
    }
    if (chunks.filled > 0 || !headChecked) await chunks.flush();
    await settleWrites();
    const storedBytes = resumeAt + received;
    if (totalBytes !== null && storedBytes < totalBytes) {
      throw new EngineFailure(incomplete(url, totalBytes, storedBytes, writer));
    }
    if (totalBytes !== null && storedBytes > totalBytes) {
      throw new EngineFailure({
        kind: 'size-mismatch',
        url,
        expectedBytes: totalBytes,
        actualBytes: storedBytes,
      });
    }
    onProgress(storedBytes, totalBytes);
    if (hasher && sha256 !== null) {
      const actual = await hasher.digest();
      if (actual !== sha256.toLowerCase()) {
        throw new EngineFailure({
          kind: 'checksum-mismatch',
          url,
          expectedSha256: sha256,
          actualSha256: actual,
        });
      }
    }
    const written = await writer.written();
    const { verified, quantization } = await verify(written);
    return { manifest: await writer.commit(quantization), verified, file: written };
  } catch (cause) {
    await reader.cancel().catch(() => undefined);
    await settleWrites().catch(() => undefined);
    const error = classifyError(cause, {
      download: {
        url,
        expectedBytes: writer.manifest.sizeBytes,
        receivedBytes: resumeAt + received,
        storedBytes: writer.manifest.storedBytes,
      },
    });
    if (!keepsPartial(error, writer)) await writer.discard().catch(() => undefined);
    throw new EngineFailure(error);
  } finally {
    hasher?.close();
  }
}

/** `piece` if it alone owns its buffer (so that it can be transferred), else a copy. */
function ownBuffer(piece: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  return piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength
    ? piece
    : piece.slice();
}

/** `arrived`: bytes of this file we have seen in all (resumed ones included). */
function incomplete(
  url: string,
  expectedBytes: number,
  arrived: number,
  writer: FileWriter,
): EngineError {
  return {
    kind: 'download-incomplete',
    url,
    expectedBytes,
    receivedBytes: arrived,
    storedBytes: writer.manifest.storedBytes,
  };
}

/** An interrupted transfer keeps its chunks for a resume; wrong bytes never do. */
function keepsPartial(error: EngineError, writer: FileWriter): boolean {
  if (writer.manifest.sizeBytes === null || writer.manifest.url.startsWith('local:')) return false;
  switch (error.kind) {
    case 'cancelled':
    case 'download-incomplete':
    case 'download-failed':
    case 'storage-full':
      return true;
    default:
      return false;
  }
}
