import type { EngineError } from '../shared/engine-protocol.ts';
import { EngineFailure } from '../shared/engine-failure.ts';

/** For tests: the `EngineError` that `promise` fails with (and a test failure if it succeeds). */
export async function failureOf(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (cause) {
    if (cause instanceof EngineFailure) return cause.error;
    throw cause;
  }
  throw new Error('expected an EngineFailure, but the call succeeded');
}
