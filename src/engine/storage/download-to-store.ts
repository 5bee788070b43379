import type { EngineError } from '../../lib/engine-protocol.ts';
import { describe, EngineFailure, isAbortError } from '../engine-failure.ts';
import { beginFile, CHUNK_BYTES, type FileManifest, type ShardStore } from './shard-store.ts';

export interface DownloadOptions<Verified> {
  signal: AbortSignal;
  onProgress: (loadedBytes: number, totalBytes: number | null) => void;
  /**
   * Looks at the first bytes (up to 64) before the rest is downloaded, and throws an
   * `EngineFailure` to refuse a file that is plainly not what was expected.
   */
  checkHead: (head: Uint8Array) => void;
  /**
   * Checks the whole file once every byte is stored, before it is marked complete; what it
   * returns is returned with the manifest.
   */
  verify: (file: Blob) => Promise<Verified>;
}

const HEAD_BYTES = 64;
const PROGRESS_INTERVAL_MS = 100;

/**
 * Streams `url` into the shard store chunk by chunk and commits it only when every byte the
 * server announced has arrived and `verify` accepts it. Any failure discards what was written (so
 * nothing partial or wrong is ever offered as ready) and throws an `EngineFailure`.
 *
 * @throws EngineFailure `download-failed`, `download-incomplete`, `storage-full`, `cancelled`, or
 * whatever `checkHead` or `verify` throw.
 */
export async function downloadToStore<Verified>(
  store: ShardStore,
  url: string,
  label: string,
  { signal, onProgress, checkHead, verify }: DownloadOptions<Verified>,
): Promise<{ manifest: FileManifest; verified: Verified }> {
  let response: Response;
  try {
    // `no-store`: the bytes go to IndexedDB; a second copy in the HTTP cache would only eat quota.
    response = await fetch(url, { signal, cache: 'no-store' });
  } catch (cause) {
    throw new EngineFailure(
      isAbortError(cause)
        ? { kind: 'cancelled' }
        : { kind: 'download-failed', url, status: null, detail: describe(cause) },
    );
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

  const totalBytes = contentLength(response);
  const writer = await beginFile(store, url, label);
  const reader = response.body.getReader();
  const buffer = new Uint8Array(CHUNK_BYTES);
  let filled = 0;
  let received = 0;
  let headChecked = false;
  let lastReport = 0;
  // One chunk is written while the next one downloads.
  let writing: Promise<void> = Promise.resolve();

  const flush = async () => {
    if (!headChecked) {
      checkHead(buffer.subarray(0, Math.min(filled, HEAD_BYTES)));
      headChecked = true;
    }
    await writing;
    writing = writer.append(new Blob([buffer.subarray(0, filled)])); // the Blob copies the bytes
    filled = 0;
  };

  try {
    for (;;) {
      const { done, value } = await reader.read();
      signal.throwIfAborted();
      if (done) break;
      received += value.byteLength;
      for (let at = 0; at < value.byteLength;) {
        const take = Math.min(value.byteLength - at, CHUNK_BYTES - filled);
        buffer.set(value.subarray(at, at + take), filled);
        filled += take;
        at += take;
        if (filled === CHUNK_BYTES) await flush();
      }
      if (!headChecked && filled >= HEAD_BYTES) {
        checkHead(buffer.subarray(0, HEAD_BYTES));
        headChecked = true;
      }
      const now = Date.now();
      if (now - lastReport >= PROGRESS_INTERVAL_MS) {
        lastReport = now;
        onProgress(received, totalBytes);
      }
    }
    if (filled > 0 || !headChecked) await flush();
    await writing;
    if (totalBytes !== null && received !== totalBytes) {
      throw new EngineFailure({
        kind: 'download-incomplete',
        url,
        expectedBytes: totalBytes,
        receivedBytes: received,
      });
    }
    onProgress(received, totalBytes);
    const verified = await verify(await writer.written());
    return { manifest: await writer.commit(), verified };
  } catch (cause) {
    await reader.cancel().catch(() => undefined);
    await writing.catch(() => undefined);
    await writer.discard().catch(() => undefined);
    throw new EngineFailure(failureOf(cause, url, received, totalBytes));
  }
}

function contentLength(response: Response): number | null {
  // A compressed body's length says nothing about the bytes we will receive.
  if (response.headers.get('content-encoding')) return null;
  const value = Number(response.headers.get('content-length'));
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}

function failureOf(
  cause: unknown,
  url: string,
  received: number,
  totalBytes: number | null,
): EngineError {
  if (cause instanceof EngineFailure) return cause.error;
  if (isAbortError(cause)) return { kind: 'cancelled' };
  if (cause instanceof DOMException && cause.name === 'QuotaExceededError') {
    return { kind: 'storage-full', detail: cause.message };
  }
  // The body stream fails with a TypeError when the connection drops mid-download.
  if (cause instanceof TypeError && totalBytes !== null) {
    return { kind: 'download-incomplete', url, expectedBytes: totalBytes, receivedBytes: received };
  }
  return { kind: 'download-failed', url, status: null, detail: describe(cause) };
}
