import { classifyError, EngineFailure } from '../../shared/engine-failure.ts';
import {
  getManifest,
  resumeFile,
  type FileManifest,
  type FileWriter,
  type NewFile,
  type ShardStore,
} from '../../shared/shard-store.ts';

/**
 * Resuming a download: which stored prefix may be continued, and the request that continues it
 * (Range, guarded by If-Range) or, where the server will not, starts the file afresh.
 */

/**
 * A writer that continues the partial file stored under `file.url`, or null when there is none,
 * it is another file than the one asked for now, or its chunks are not all there.
 */
export async function resumablePartial(
  store: ShardStore,
  file: NewFile,
): Promise<FileWriter | null> {
  const existing = await getManifest(store, file.url);
  return existing && sameSource(existing, file) ? resumeFile(store, existing) : null;
}

/** A partial file can be continued only if it is the same file the caller asks for now. */
function sameSource(stored: FileManifest, wanted: NewFile): boolean {
  if (stored.complete) return false;
  if (wanted.sizeBytes !== null && stored.sizeBytes !== wanted.sizeBytes) return false;
  return wanted.sha256 === null || stored.sha256 === wanted.sha256;
}

/** An open download: the bytes to store, and whether they continue the partial file. */
export interface Transfer {
  body: ReadableStream<Uint8Array<ArrayBuffer>>;
  /**
   * True when `body` continues the partial file after its stored bytes; false when it is the
   * whole file from its first byte (the partial one is then to be dropped).
   */
  resumed: boolean;
  /** The whole file's size: the partial file's, else the response's, or null when unknown. */
  sizeBytes: number | null;
  /** The server's validator (ETag or Last-Modified), for a later If-Range. */
  validator: string | null;
}

/**
 * Requests `url`, continuing `partial` (the manifest of a resumable file, or null) where the
 * server answers the Range request with exactly the bytes after it. A 200 is the whole file (the
 * server ignores Range, or If-Range saw a changed file) and is used from the start; anything
 * else (416, a range we did not ask for) gets a fresh request for the whole file.
 *
 * @throws EngineFailure `download-failed` (with the HTTP status where there was one), `cancelled`.
 */
export async function openTransfer(
  url: string,
  signal: AbortSignal,
  partial: FileManifest | null,
): Promise<Transfer> {
  let response = await request(url, signal, partial);
  let resumed = partial !== null;
  if (partial && partial.storedBytes > 0) {
    const range = rangeOf(response);
    resumed =
      response.status === 206 &&
      range?.start === partial.storedBytes &&
      (range.total === null || range.total === partial.sizeBytes);
    if (!resumed && response.status !== 200) {
      await response.body?.cancel();
      response = await request(url, signal, null);
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
  return {
    body: response.body,
    resumed,
    sizeBytes: (resumed ? partial?.sizeBytes : null) ?? contentLength(response),
    validator: response.headers.get('etag') ?? response.headers.get('last-modified'),
  };
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
    // No response at all: nothing arrived, so this is a failed request, never a cut.
    const nothing = { url, expectedBytes: null, receivedBytes: 0, storedBytes: 0 };
    throw new EngineFailure(classifyError(cause, { download: nothing }));
  }
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
