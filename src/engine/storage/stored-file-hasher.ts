import { createChunkHasher, type ChunkHasher } from './sha256-hasher.ts';
import { readChunks, type FileManifest, type ShardStore } from '../../shared/shard-store.ts';

/**
 * The running SHA-256 of a stored file (null when it has no expected SHA-256), restored from the
 * manifest's saved state, with the stored bytes after that state (hashing may have lagged behind
 * writing) read back from IndexedDB: the hasher is then ready for the bytes after `storedBytes`.
 */
export async function hasherFor(
  store: ShardStore,
  manifest: FileManifest,
): Promise<ChunkHasher | null> {
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
