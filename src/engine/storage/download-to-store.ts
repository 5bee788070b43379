import type { EngineError } from '../../shared/engine-protocol.ts';
import { describe, EngineFailure, isAbortError } from '../../shared/engine-failure.ts';
import {
  beginFile,
  getManifest,
  readChunks,
  resumeFile,
  type FileManifest,
  type FileWriter,
  type NewFile,
  type ShardStore,
} from './shard-store.ts';
import { createChunkHasher, type ChunkHasher } from './sha256-hasher.ts';

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
  const existing = await getManifest(store, url);
  let writer = existing && sameSource(existing, file) ? await resumeFile(store, existing) : null;
  // With the size known from the listing, a file that will not fit is refused before any request.
  const knownSize = writer?.manifest.sizeBytes ?? file.sizeBytes;
  if (knownSize !== null)
    await options.ensureSpace(knownSize - (writer?.manifest.storedBytes ?? 0));
  let response = await request(url, options.signal, writer?.manifest ?? null);

  const range = writer && writer.manifest.storedBytes > 0 ? rangeOf(response) : null;
  if (writer && writer.manifest.storedBytes > 0) {
    const resumable =
      response.status === 206 &&
      range?.start === writer.manifest.storedBytes &&
      (range.total === null || range.total === writer.manifest.sizeBytes);
    if (!resumable) {
      // A 200 is the whole file (the server ignores Range, or If-Range saw a changed file): use it
      // from the start. Anything else (416, a range we did not ask for) gets a fresh request.
      writer = null;
      if (response.status !== 200) {
        await response.body?.cancel();
        response = await request(url, options.signal, null);
      }
    }
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new EngineFailure({
      kind: 'download-failed',
      url,
      status: response.status,
      detail: response.statusText,
    });
  }

  const resumeAt = writer?.manifest.storedBytes ?? 0;
  const totalBytes = writer?.manifest.sizeBytes ?? contentLength(response);
  const body = response.body;
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
    validator: response.headers.get('etag') ?? response.headers.get('last-modified'),
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

async function request(
  url: string,
  signal: AbortSignal,
  resumeFrom: FileManifest | null,
): Promise<Response> {
  const headers = new Headers();
  if (resumeFrom && resumeFrom.storedBytes > 0) {
    headers.set('Range', `bytes=${resumeFrom.storedBytes}-`);
    // Bytes of a file that changed on the server must not be glued to the old ones.
    if (resumeFrom.validator) headers.set('If-Range', resumeFrom.validator);
  }
  try {
    // `no-store`: the bytes go to IndexedDB; a second copy in the HTTP cache would only eat quota.
    return await fetch(url, { signal, cache: 'no-store', headers });
  } catch (cause) {
    throw new EngineFailure(
      isAbortError(cause)
        ? { kind: 'cancelled' }
        : { kind: 'download-failed', url, status: null, detail: describe(cause) },
    );
  }
}

/** A partial file can be continued only if it is the same file the caller asks for now. */
function sameSource(stored: FileManifest, wanted: NewFile): boolean {
  if (stored.complete) return false;
  if (wanted.sizeBytes !== null && stored.sizeBytes !== wanted.sizeBytes) return false;
  return wanted.sha256 === null || stored.sha256 === wanted.sha256;
}

function rangeOf(response: Response): { start: number; total: number | null } | null {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
  if (!match) return null;
  return { start: Number(match[1]), total: match[2] === '*' ? null : Number(match[2]) };
}

function contentLength(response: Response): number | null {
  // A compressed body's length says nothing about the bytes we will receive.
  if (response.headers.get('content-encoding')) return null;
  const value = Number(response.headers.get('content-length'));
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}

/**
 * The running SHA-256 of a file, restored from the manifest's saved state, with the stored bytes
 * after that state (hashing may have lagged behind writing) read back from IndexedDB.
 */
async function hasherFor(store: ShardStore, manifest: FileManifest): Promise<ChunkHasher | null> {
  if (manifest.sha256 === null) return null;
  const from = manifest.hashState
    ? { hashedBytes: manifest.hashedBytes, state: manifest.hashState }
    : { hashedBytes: 0, state: null };
  const hasher = await createChunkHasher(from);
  if (from.hashedBytes === manifest.storedBytes) return hasher;
  const stored = await readChunks(store, manifest.url, manifest.chunkBytes, manifest.storedBytes);
  if (!stored) throw new Error(`stored chunks of ${manifest.url} vanished`);
  const reader = stored.slice(from.hashedBytes).stream().getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    hasher.update(read.value.slice());
  }
  return hasher;
}

async function storeStream<Verified>(
  store: ShardStore,
  writer: FileWriter,
  reader: ReadableStreamDefaultReader<Uint8Array<ArrayBuffer>>,
  { signal, onProgress, checkHead, verify }: StoreOptions<Verified>,
): Promise<Stored<Verified>> {
  const { url, chunkBytes, sizeBytes: totalBytes, sha256 } = writer.manifest;
  const resumeAt = writer.manifest.storedBytes;
  // The pieces of the chunk being filled, as the network delivered them: the Blob of a chunk is
  // their only copy, and the hash worker takes them over.
  let pieces: Uint8Array<ArrayBuffer>[] = [];
  let filled = 0;
  let received = 0;
  let headChecked = resumeAt > 0; // checked when the first bytes arrived
  let lastReport = 0;
  // Chunks are written while the next ones arrive, up to WRITES_IN_FLIGHT at once; the SHA-256
  // is computed in a worker of its own, so neither holds up the download.
  const writes: Promise<void>[] = [];
  let hasher: ChunkHasher | null = null;

  const checkHeadOnce = () => {
    if (headChecked) return;
    checkHead(headOf(pieces));
    headChecked = true;
  };
  const settleWrites = () => Promise.all(writes.splice(0));

  try {
    hasher = await hasherFor(store, writer.manifest);
    const flush = async () => {
      checkHeadOnce();
      if (writes.length >= WRITES_IN_FLIGHT) await writes.shift();
      // The Blob takes its own copy at once; then the pieces can move to the hash worker.
      const write = writer.append(new Blob(pieces), hasher?.progress);
      write.catch(() => undefined); // awaited (and thrown) below
      writes.push(write);
      for (const piece of pieces) hasher?.update(ownBuffer(piece));
      pieces = [];
      filled = 0;
    };

    for (;;) {
      const { done, value } = await reader.read();
      signal.throwIfAborted();
      if (done) break;
      received += value.byteLength;
      for (let at = 0; at < value.byteLength;) {
        const take = Math.min(value.byteLength - at, chunkBytes - filled);
        pieces.push(take === value.byteLength ? value : value.subarray(at, at + take));
        filled += take;
        at += take;
        if (filled === chunkBytes) await flush();
      }
      if (filled >= HEAD_BYTES) checkHeadOnce();
      const now = Date.now();
      if (now - lastReport >= PROGRESS_INTERVAL_MS) {
        lastReport = now;
        onProgress(resumeAt + received, totalBytes);
      }
    }
    if (filled > 0 || !headChecked) await flush();
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
    const error = failureOf(cause, url, resumeAt + received, writer);
    if (!keepsPartial(error, writer)) await writer.discard().catch(() => undefined);
    throw new EngineFailure(error);
  } finally {
    hasher?.close();
  }
}

/** Up to the first HEAD_BYTES bytes of a chunk being filled. */
function headOf(pieces: Uint8Array[]): Uint8Array {
  const head = new Uint8Array(HEAD_BYTES);
  let at = 0;
  for (const piece of pieces) {
    if (at >= HEAD_BYTES) break;
    const take = piece.subarray(0, HEAD_BYTES - at);
    head.set(take, at);
    at += take.byteLength;
  }
  return head.subarray(0, at);
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

const isQuotaError = (cause: unknown) =>
  typeof cause === 'object' &&
  cause !== null &&
  (cause as { name?: unknown }).name === 'QuotaExceededError';

function failureOf(cause: unknown, url: string, arrived: number, writer: FileWriter): EngineError {
  if (cause instanceof EngineFailure) return cause.error;
  if (isAbortError(cause)) return { kind: 'cancelled' };
  if (isQuotaError(cause)) {
    return {
      kind: 'storage-full',
      detail: describe(cause),
      storedBytes: writer.manifest.storedBytes,
    };
  }
  // The body stream fails with a TypeError when the connection drops mid-download.
  const total = writer.manifest.sizeBytes;
  if (cause instanceof TypeError && total !== null) return incomplete(url, total, arrived, writer);
  return { kind: 'download-failed', url, status: null, detail: describe(cause) };
}
