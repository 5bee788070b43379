import type { EngineError } from '../shared/engine-protocol.ts';

/**
 * A failure inside the worker that already knows its `EngineError`. It never crosses the worker
 * boundary itself: the exposed API turns it into `{ ok: false, error }`.
 */
export class EngineFailure extends Error {
  readonly error: EngineError;

  constructor(error: EngineError) {
    super(error.kind);
    this.name = 'EngineFailure';
    this.error = error;
  }
}

export function isAbortError(cause: unknown): boolean {
  return cause instanceof DOMException
    ? cause.name === 'AbortError'
    : cause instanceof Error && cause.name === 'AbortError';
}

export function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message || cause.name;
  return String(cause);
}
