import { EngineFailure } from '../../shared/engine-failure.ts';
import { createChunkHasher } from '../storage/sha256-hasher.ts';

/** A stored file and the SHA-256 its download recorded (null: its source published none). */
export interface RecordedFile {
  file: Blob;
  sha256: string | null;
}

/** Bytes handed to the hash worker ahead of its progress, at most: a fast disk never queues GBs. */
const MAX_AHEAD_BYTES = 32 << 20;
/** Progress is reported this often, not on every block read. */
const REPORT_EVERY_MS = 100;

/**
 * Hashes each stored file whose SHA-256 is known (in the hash worker, as the download does) and
 * gives the index of the first that no longer matches, with what it hashes to now; null when all
 * match (or none is known). Progress covers the bytes of the known files together.
 *
 * @throws EngineFailure `cancelled` when `signal` aborts.
 */
export async function firstSha256Mismatch(
  files: readonly RecordedFile[],
  signal: AbortSignal,
  onProgress: (hashedBytes: number, totalBytes: number) => void,
): Promise<{ index: number; actual: string } | null> {
  const totalBytes = files.reduce((sum, f) => sum + (f.sha256 === null ? 0 : f.file.size), 0);
  let done = 0;
  for (const [index, { file, sha256 }] of files.entries()) {
    if (sha256 === null) continue;
    const hasher = await createChunkHasher({ hashedBytes: 0, state: null });
    try {
      const reader = file.stream().getReader();
      let sent = 0;
      let reported = 0;
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        if (signal.aborted) {
          await reader.cancel();
          throw new EngineFailure({ kind: 'cancelled' });
        }
        sent += read.value.byteLength;
        hasher.update(read.value.slice());
        const behind = () => sent - hasher.progress().hashedBytes > MAX_AHEAD_BYTES;
        // Read through a function: the check above narrowed `signal.aborted` to false.
        const cancelled = () => signal.aborted;
        while (behind() && !cancelled()) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        if (Date.now() - reported >= REPORT_EVERY_MS) {
          reported = Date.now();
          onProgress(done + hasher.progress().hashedBytes, totalBytes);
        }
      }
      const actual = await hasher.digest();
      done += file.size;
      onProgress(done, totalBytes);
      if (actual !== sha256.toLowerCase()) return { index, actual };
    } finally {
      hasher.close();
    }
  }
  return null;
}
