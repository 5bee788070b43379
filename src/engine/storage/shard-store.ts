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

/**
 * GGUF files in IndexedDB, stored as many fixed-size chunks rather than one giant record: each
 * chunk is a Blob (Chromium keeps those on disk, so reading a model back never needs its whole size
 * in memory) and a file is ready only once its manifest says every chunk was written.
 *
 * Two idb-keyval stores, one per concern: manifests (small, listed often) and chunk bytes.
 */

export const CHUNK_BYTES = 8 << 20;

/** What we know of one stored file. Version 1 of the record. */
export interface FileManifest {
  version: 1;
  url: string;
  label: string;
  sizeBytes: number;
  chunkCount: number;
  /** False while chunks are being written: such a file is never offered as ready. */
  complete: boolean;
  storedAt: number;
}

type ChunkKey = [url: string, index: number];

export interface ShardStore {
  manifests: UseStore;
  chunks: UseStore;
}

export function openShardStore(prefix = 'tab-llm'): ShardStore {
  return {
    manifests: createStore(`${prefix}-gguf-manifests`, 'manifests'),
    chunks: createStore(`${prefix}-gguf-chunks`, 'chunks'),
  };
}

/** Normalises a manifest read back from storage; anything damaged or unknown becomes null. */
export function restoreManifest(raw: unknown): FileManifest | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (r.version !== 1) return null;
  if (typeof r.url !== 'string' || typeof r.label !== 'string') return null;
  const count = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);
  const sizeBytes = count(r.sizeBytes);
  const chunkCount = count(r.chunkCount);
  const storedAt = count(r.storedAt);
  if (sizeBytes === null || chunkCount === null || storedAt === null) return null;
  if (chunkCount !== Math.ceil(sizeBytes / CHUNK_BYTES)) return null;
  return {
    version: 1,
    url: r.url,
    label: r.label,
    sizeBytes,
    chunkCount,
    complete: r.complete === true,
    storedAt,
  };
}

export async function listCompleteFiles(store: ShardStore): Promise<FileManifest[]> {
  const all = await entries(store.manifests);
  return all
    .map(([, value]) => restoreManifest(value))
    .filter((m): m is FileManifest => m !== null && m.complete);
}

/**
 * Returns the stored file as one Blob, or null when it is absent, incomplete or missing a chunk
 * (a damaged file is reported as absent so that it is downloaded again, never used).
 */
export async function readFile(store: ShardStore, url: string): Promise<Blob | null> {
  const manifest = restoreManifest(await get(url, store.manifests));
  if (!manifest?.complete) return null;
  return readChunks(store, url, manifest.chunkCount, manifest.sizeBytes);
}

async function readChunks(
  store: ShardStore,
  url: string,
  chunkCount: number,
  sizeBytes: number,
): Promise<Blob | null> {
  const keys: ChunkKey[] = Array.from({ length: chunkCount }, (_, i) => [url, i]);
  const chunks: unknown[] = await getMany(keys, store.chunks);
  if (!chunks.every((c): c is Blob => c instanceof Blob)) return null;
  const file = new Blob(chunks);
  return file.size === sizeBytes ? file : null;
}

/** Writes chunks of one file in order; call `commit()` once all bytes are in. */
export interface FileWriter {
  /** Stores the next chunk; every chunk but the last must be exactly `CHUNK_BYTES` long. */
  append: (chunk: Blob) => Promise<void>;
  /** The bytes written so far, read back from storage (to verify them before `commit()`). */
  written: () => Promise<Blob>;
  /** Marks the file complete: from now on it is listed and readable. */
  commit: () => Promise<FileManifest>;
  /** Removes everything written so far. */
  discard: () => Promise<void>;
}

export async function beginFile(
  store: ShardStore,
  url: string,
  label: string,
): Promise<FileWriter> {
  await deleteFile(store, url);
  let chunkCount = 0;
  let sizeBytes = 0;
  const manifest = (complete: boolean): FileManifest => ({
    version: 1,
    url,
    label,
    sizeBytes,
    chunkCount,
    complete,
    storedAt: Date.now(),
  });
  // The incomplete manifest goes in first, so a crash mid-download leaves a record we can find
  // and clean up, never a file that looks ready.
  await set(url, manifest(false), store.manifests);

  return {
    append(chunk) {
      const key: ChunkKey = [url, chunkCount];
      chunkCount += 1;
      sizeBytes += chunk.size;
      return set(key, chunk, store.chunks);
    },
    async written() {
      const file = await readChunks(store, url, chunkCount, sizeBytes);
      if (!file) throw new Error(`chunks of ${url} vanished while it was being written`);
      return file;
    },
    async commit() {
      const done = manifest(true);
      await set(url, done, store.manifests);
      return done;
    },
    discard: () => deleteFile(store, url),
  };
}

export async function deleteFile(store: ShardStore, url: string): Promise<void> {
  await store.chunks('readwrite', (chunks) => {
    chunks.delete(IDBKeyRange.bound([url, 0], [url, Infinity]));
    return promisifyRequest(chunks.transaction);
  });
  await del(url, store.manifests);
}
