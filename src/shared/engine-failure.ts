import type { EngineError } from './engine-protocol.ts';

/**
 * A failure that already knows its `EngineError`. It never crosses the worker boundary itself:
 * the exposed API turns it into `{ ok: false, error }`.
 */
export class EngineFailure extends Error {
  readonly error: EngineError;

  constructor(error: EngineError) {
    super(error.kind);
    this.name = 'EngineFailure';
    this.error = error;
  }
}

/**
 * Whether a failure takes the model with it (a lost GPU device, a dead engine worker): the
 * engine drops it, and the way back is to load it again.
 */
export const losesModel = (error: EngineError): boolean =>
  error.kind === 'gpu-device-lost' || error.kind === 'engine-crashed';

export function isAbortError(cause: unknown): boolean {
  return cause instanceof DOMException
    ? cause.name === 'AbortError'
    : cause instanceof Error && cause.name === 'AbortError';
}

/** The browser's "storage is full", from IndexedDB, the Cache API or OPFS alike. */
export const isQuotaError = (cause: unknown): boolean =>
  typeof cause === 'object' &&
  cause !== null &&
  (cause as { name?: unknown }).name === 'QuotaExceededError';

export function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message || cause.name;
  return String(cause);
}

/** What was under way when a failure happened, so that it can be told precisely. */
export interface FailureContext {
  /** A download: where from, how much of the file arrived and how much of it is kept. */
  download?: {
    url: string;
    expectedBytes: number | null;
    receivedBytes: number;
    storedBytes: number;
  };
}

/**
 * The one classifier of thrown things, used on both threads (the downloader, the worker's API,
 * the chat's storage): an `EngineFailure` keeps its error, an abort is `cancelled`, a full quota
 * is `storage-full`, a network `TypeError` during a download is a cut or a failed request, and
 * anything else is `internal` with its text.
 */
export function classifyError(cause: unknown, context: FailureContext = {}): EngineError {
  if (cause instanceof EngineFailure) return cause.error;
  if (isAbortError(cause)) return { kind: 'cancelled' };
  const { download } = context;
  if (isQuotaError(cause)) {
    return {
      kind: 'storage-full',
      detail: describe(cause),
      storedBytes: download?.storedBytes ?? null,
    };
  }
  if (!download) return { kind: 'internal', detail: describe(cause) };
  // The body stream fails with a TypeError when the connection drops mid-download.
  if (cause instanceof TypeError && download.expectedBytes !== null) {
    return {
      kind: 'download-incomplete',
      url: download.url,
      expectedBytes: download.expectedBytes,
      receivedBytes: download.receivedBytes,
      storedBytes: download.storedBytes,
    };
  }
  return { kind: 'download-failed', url: download.url, status: null, detail: describe(cause) };
}
