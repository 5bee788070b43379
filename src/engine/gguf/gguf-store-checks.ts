import type { EngineError } from '../../shared/engine-protocol.ts';
import { quantizationOf } from '../../shared/hf-listing.ts';
import { EngineFailure } from '../../shared/engine-failure.ts';
import { ensureSpace } from '../library/storage-space.ts';
import type { StoreOptions } from '../storage/download-to-store.ts';
import { checkGguf, type GgufCheck, type GgufHeader } from './gguf-header.ts';

const GGUF_MAGIC = [0x47, 0x47, 0x55, 0x46]; // "GGUF"

/**
 * How a GGUF file from `source` is stored: refused from its first bytes when they are not GGUF,
 * checked whole (`checkGguf`) before it is marked complete, within the storage quota.
 */
export function ggufStoreOptions(
  source: string,
  signal: AbortSignal,
  onProgress: (loaded: number, total: number | null) => void,
): StoreOptions<GgufHeader> {
  return {
    signal,
    onProgress,
    ensureSpace,
    checkHead: (head) => {
      if (!GGUF_MAGIC.every((byte, i) => head[i] === byte)) {
        throw new EngineFailure({ kind: 'not-gguf', source });
      }
    },
    verify: async (file) => {
      const header = await checkedGguf(file, source);
      const name = source.slice(source.lastIndexOf('/') + 1);
      return { verified: header, quantization: header.quantization ?? quantizationOf(name) };
    },
  };
}

/**
 * The header of a GGUF file that checks out whole (`checkGguf`).
 *
 * @throws EngineFailure `not-gguf`, `unsupported-gguf-version`, `truncated-file`, `malformed-gguf`.
 */
export async function checkedGguf(file: Blob, source: string): Promise<GgufHeader> {
  const check = await checkGguf(file);
  if (!check.ok) throw new EngineFailure(checkError(check, source));
  return check.header;
}

function checkError(check: Exclude<GgufCheck, { ok: true }>, source: string): EngineError {
  switch (check.problem) {
    case 'not-gguf':
      return { kind: 'not-gguf', source };
    case 'unsupported-version':
      return { kind: 'unsupported-gguf-version', source, version: check.version };
    case 'truncated':
      return {
        kind: 'truncated-file',
        source,
        expectedBytes: check.requiredBytes,
        actualBytes: check.actualBytes,
      };
    case 'malformed':
      return { kind: 'malformed-gguf', source, problem: check.detail };
  }
}
