import {
  createStore,
  del,
  entries,
  get,
  getMany,
  promisifyRequest,
  set,
  type UseStore,
} from 'idb-keyval';
import { storeIn } from './idb-store.ts';

/**
 * GGUF files in IndexedDB, stored as many fixed-size chunks rather than one giant record: each
 * chunk is a Blob (Chromium keeps those on disk, so reading a model back never needs its whole size
 * in memory) and a file is ready only once its manifest says every chunk was written and checked.
 *
 * Two idb-keyval stores, one per concern: manifests (small, listed often) and chunk bytes. They
 * are separate databases, so no transaction spans both: a chunk is written first and the manifest
 * then records it, so the manifest never claims a byte that is not stored.
 */

/** Chunks of files whose size is unknown, and the largest chunk of any file. */
export const MAX_CHUNK_BYTES = 8 << 20;
const MIN_CHUNK_BYTES = 64 << 10;
/** A file is cut into about this many chunks (within the bounds above). */
const CHUNKS_PER_FILE = 32;

/**
 * The chunk size for a file: large for big files (few records, fast writes), small enough for
 * small ones that an interrupted download loses little when it resumes. A power of two.
 */
export function chunkBytesFor(sizeBytes: number | null): number {
  if (sizeBytes === null) return MAX_CHUNK_BYTES;
  let chunk = MIN_CHUNK_BYTES;
  while (chunk < MAX_CHUNK_BYTES && chunk * CHUNKS_PER_FILE < sizeBytes) chunk *= 2;
  return chunk;
}

/** What we know of one stored file (one part of a model). Version 2 of the record. */
export interface FileManifest {
  version: 2;
  /** The file's key: its URL, or `local:…` for a file picked on this device. */
  url: string;
  label: string;
  /** The model this file belongs to (the first part's URL), and its place among the parts. */
  modelUrl: string;
  partIndex: number;
  partCount: number;
  /** The whole file's size; null when the server did not say (such a file cannot resume). */
  sizeBytes: number | null;
  chunkBytes: number;
  /** Bytes stored so far, always a whole number of chunks until the file is complete. */
  storedBytes: number;
  /** Expected SHA-256 (hex) when the source published one. */
  sha256: string | null;
  /**
   * The running SHA-256 state (hash-wasm `save()`) after the first `hashedBytes` (at most
   * `storedBytes`: hashing may lag behind writing). A resume continues from it and re-reads only
   * the stored bytes after it.
   */
  hashState: Uint8Array | null;
  hashedBytes: number;
  /** The server's validator (ETag or Last-Modified), sent as `If-Range` when resuming. */
  validator: string | null;
  quantization: string | null;
  /** False while chunks are being written: such a file is never offered as ready. */
  complete: boolean;
  storedAt: number;
}

type ChunkKey = [url: string, index: number];

export interface ShardStore {
  manifests: UseStore;
  chunks: UseStore;
}

/**
 * The two stores, in this context's IndexedDB, or in `factory` (an embedded widget reads its
 * origin's own stores through the factory that storage access gave it; see `storeIn`).
 */
export function openShardStore(prefix = 'tab-llm', factory?: IDBFactory): ShardStore {
  const open = (dbName: string, storeName: string) =>
    factory ? storeIn(factory, dbName, storeName) : createStore(dbName, storeName);
  return {
    manifests: open(`${prefix}-gguf-manifests`, 'manifests'),
    chunks: open(`${prefix}-gguf-chunks`, 'chunks'),
  };
}

const count = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);
const stringOrNull = (v: unknown) => (typeof v === 'string' ? v : null);

/**
 * Normalises a manifest read back from storage; anything damaged or unknown becomes null.
 * Version 1 records (from before resumable downloads) had 8 MiB chunks and were single files.
 */
export function restoreManifest(raw: unknown): FileManifest | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.url !== 'string' || typeof r.label !== 'string') return null;
  const storedAt = count(r.storedAt);
  if (storedAt === null) return null;
  const complete = r.complete === true;

  if (r.version === 1) {
    const sizeBytes = count(r.sizeBytes);
    if (sizeBytes === null || count(r.chunkCount) !== Math.ceil(sizeBytes / MAX_CHUNK_BYTES)) {
      return null;
    }
    return {
      version: 2,
      url: r.url,
      label: r.label,
      modelUrl: r.url,
      partIndex: 0,
      partCount: 1,
      sizeBytes,
      chunkBytes: MAX_CHUNK_BYTES,
      // A v1 partial file has no record of its progress: it starts again.
      storedBytes: complete ? sizeBytes : 0,
      sha256: null,
      hashState: null,
      hashedBytes: 0,
      validator: null,
      quantization: null,
      complete,
      storedAt,
    };
  }

  if (r.version !== 2 || typeof r.modelUrl !== 'string') return null;
  const sizeBytes = r.sizeBytes === null ? null : count(r.sizeBytes);
  if (r.sizeBytes !== null && sizeBytes === null) return null;
  const chunkBytes = count(r.chunkBytes);
  const storedBytes = count(r.storedBytes);
  const partIndex = count(r.partIndex);
  const partCount = count(r.partCount);
  if (chunkBytes === null || chunkBytes === 0) return null;
  if (storedBytes === null || partIndex === null || partCount === null || partIndex >= partCount) {
    return null;
  }
  if (sizeBytes !== null && storedBytes > sizeBytes) return null;
  const wholeChunks = storedBytes % chunkBytes === 0 || storedBytes === sizeBytes;
  if (complete ? sizeBytes !== null && storedBytes !== sizeBytes : !wholeChunks) {
    return null;
  }
  return {
    version: 2,
    url: r.url,
    label: r.label,
    modelUrl: r.modelUrl,
    partIndex,
    partCount,
    sizeBytes,
    chunkBytes,
    storedBytes,
    sha256: stringOrNull(r.sha256),
    ...restoreHash(r.hashState, r.hashedBytes, storedBytes),
    validator: stringOrNull(r.validator),
    quantization: stringOrNull(r.quantization),
    complete,
    storedAt,
  };
}

function restoreHash(
  state: unknown,
  hashedBytes: unknown,
  storedBytes: number,
): Pick<FileManifest, 'hashState' | 'hashedBytes'> {
  // The first v2 records saved no `hashedBytes`: their state always covered every stored byte.
  const bytes = hashedBytes === undefined ? storedBytes : count(hashedBytes);
  return state instanceof Uint8Array && bytes !== null && bytes <= storedBytes
    ? { hashState: state, hashedBytes: bytes }
    : { hashState: null, hashedBytes: 0 };
}

export async function getManifest(store: ShardStore, url: string): Promise<FileManifest | null> {
  return restoreManifest(await get(url, store.manifests));
}

export async function listManifests(store: ShardStore): Promise<FileManifest[]> {
  const all = await entries(store.manifests);
  return all.map(([, value]) => restoreManifest(value)).filter((m) => m !== null);
}

/**
 * Returns the stored file as one Blob, or null when it is absent, incomplete or missing a chunk
 * (a damaged file is reported as absent so that it is downloaded again, never used).
 */
export async function readFile(store: ShardStore, url: string): Promise<Blob | null> {
  const stored = await inspectFile(store, url);
  return stored.state === 'ok' ? stored.file : null;
}

/** A file as stored: none (or a partial download), whole, or recorded complete but damaged. */
export type StoredFile =
  | { state: 'absent' }
  /** `sha256`: what the download recorded, where the source published it. */
  | { state: 'ok'; file: Blob; sha256: string | null }
  | { state: 'damaged'; problem: string };

/**
 * Reads a complete file's chunks and checks each against its record: every chunk present (the
 * browser may evict or lose records) and of its size, and the whole of the recorded size.
 */
export async function inspectFile(store: ShardStore, url: string): Promise<StoredFile> {
  const manifest = await getManifest(store, url);
  if (!manifest?.complete) return { state: 'absent' };
  const { chunkBytes, storedBytes } = manifest;
  const chunkCount = Math.ceil(storedBytes / chunkBytes);
  const keys: ChunkKey[] = Array.from({ length: chunkCount }, (_, i) => [url, i]);
  const chunks: unknown[] = await getMany(keys, store.chunks);
  for (const [index, chunk] of chunks.entries()) {
    const expected = Math.min(chunkBytes, storedBytes - index * chunkBytes);
    if (!(chunk instanceof Blob)) {
      return { state: 'damaged', problem: `piece ${index + 1} of ${chunkCount} is missing` };
    }
    if (chunk.size !== expected) {
      return {
        state: 'damaged',
        problem: `piece ${index + 1} of ${chunkCount} has ${chunk.size} bytes instead of ${expected}`,
      };
    }
  }
  return { state: 'ok', file: new Blob(chunks as Blob[]), sha256: manifest.sha256 };
}

/** The first `bytes` of a file as a Blob, or null when a chunk is missing or has the wrong size. */
export async function readChunks(
  store: ShardStore,
  url: string,
  chunkBytes: number,
  bytes: number,
): Promise<Blob | null> {
  const chunkCount = Math.ceil(bytes / chunkBytes);
  const keys: ChunkKey[] = Array.from({ length: chunkCount }, (_, i) => [url, i]);
  const chunks: unknown[] = await getMany(keys, store.chunks);
  if (!chunks.every((c): c is Blob => c instanceof Blob)) return null;
  const file = new Blob(chunks);
  return file.size === bytes ? file : null;
}

/** Writes the chunks of one file in order, recording progress in its manifest after each. */
export interface FileWriter {
  readonly manifest: FileManifest;
  /**
   * Stores the next chunk (every chunk but the last is exactly `chunkBytes` long), then records
   * it in the manifest, with the latest hash state that `hash()` gives then: a resume starts
   * after the last recorded chunk. Several appends may run at once: chunks are written in
   * parallel, recorded in order, and none is recorded after one that failed.
   */
  append: (chunk: Blob, hash?: () => HashProgress | null) => Promise<void>;
  /** The bytes written so far, read back from storage (to verify them before `commit()`). */
  written: () => Promise<Blob>;
  /** Marks the file complete: from now on it is listed and readable. */
  commit: (quantization: string | null) => Promise<FileManifest>;
  /** Removes everything written so far. */
  discard: () => Promise<void>;
}

/** A SHA-256 state and the bytes it covers. */
export interface HashProgress {
  hashedBytes: number;
  state: Uint8Array | null;
}

export type NewFile = Pick<
  FileManifest,
  'url' | 'label' | 'modelUrl' | 'partIndex' | 'partCount' | 'sizeBytes' | 'sha256' | 'validator'
>;

/** Starts a file from scratch, dropping anything stored under its URL. */
export async function beginFile(store: ShardStore, file: NewFile): Promise<FileWriter> {
  await deleteFile(store, file.url);
  const manifest: FileManifest = {
    version: 2,
    ...file,
    chunkBytes: chunkBytesFor(file.sizeBytes),
    storedBytes: 0,
    hashState: null,
    hashedBytes: 0,
    quantization: null,
    complete: false,
    storedAt: Date.now(),
  };
  // The incomplete manifest goes in first, so a crash mid-download leaves a record we can find
  // and resume or clean up, never a file that looks ready.
  await set(file.url, manifest, store.manifests);
  return writerFor(store, manifest);
}

/**
 * Continues a partial file after its last recorded chunk, or returns null when its chunks are
 * not all there (the caller then starts again).
 */
export async function resumeFile(
  store: ShardStore,
  manifest: FileManifest,
): Promise<FileWriter | null> {
  if (manifest.complete || manifest.sizeBytes === null) return null;
  if (manifest.storedBytes > 0) {
    const stored = await readChunks(store, manifest.url, manifest.chunkBytes, manifest.storedBytes);
    if (!stored) return null;
  }
  return writerFor(store, manifest);
}

function writerFor(store: ShardStore, initial: FileManifest): FileWriter {
  let manifest = initial;
  let nextIndex = manifest.storedBytes / manifest.chunkBytes;
  let recorded: Promise<void> = Promise.resolve();
  const save = (next: FileManifest) => {
    manifest = next;
    return set(next.url, next, store.manifests);
  };
  return {
    get manifest() {
      return manifest;
    },
    append(chunk, hash) {
      const key: ChunkKey = [manifest.url, nextIndex];
      nextIndex += 1;
      const stored = set(key, chunk, store.chunks);
      const record = Promise.all([recorded, stored]).then(() => {
        const storedBytes = manifest.storedBytes + chunk.size;
        const progress = hash?.() ?? null;
        const usable = progress?.state && progress.hashedBytes <= storedBytes ? progress : null;
        return save({
          ...manifest,
          storedBytes,
          ...(usable ? { hashState: usable.state, hashedBytes: usable.hashedBytes } : {}),
        });
      });
      recorded = record;
      return record;
    },
    async written() {
      const file = await readChunks(store, manifest.url, manifest.chunkBytes, manifest.storedBytes);
      if (!file) throw new Error(`chunks of ${manifest.url} vanished while it was being written`);
      return file;
    },
    async commit(quantization) {
      await save({
        ...manifest,
        sizeBytes: manifest.storedBytes,
        hashState: null,
        hashedBytes: 0,
        quantization,
        complete: true,
        storedAt: Date.now(),
      });
      return manifest;
    },
    discard: () => deleteFile(store, manifest.url),
  };
}

export async function deleteFile(store: ShardStore, url: string): Promise<void> {
  await store.chunks('readwrite', (chunks) => {
    chunks.delete(IDBKeyRange.bound([url, 0], [url, Infinity]));
    return promisifyRequest(chunks.transaction);
  });
  await del(url, store.manifests);
}
