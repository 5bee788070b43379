import type { EngineError, LoadEvent } from '../../lib/engine-protocol.ts';
import { allowedModelHosts, hostAllows } from '../../lib/model-hosts.ts';
import { EngineFailure } from '../engine-failure.ts';
import { downloadToStore } from '../storage/download-to-store.ts';
import { deleteFile, readFile, type ShardStore } from '../storage/shard-store.ts';
import { checkGguf, type GgufCheck, type GgufHeader } from './gguf-header.ts';

export interface OpenedGguf {
  file: Blob;
  header: GgufHeader;
  /** True when the file came from IndexedDB without any request to its host. */
  fromStorage: boolean;
}

const GGUF_MAGIC = [0x47, 0x47, 0x55, 0x46]; // "GGUF"

/**
 * Returns a checked GGUF file: the stored copy when there is a good one, else a fresh download
 * that is stored (and marked complete) only once it checks out.
 *
 * @throws EngineFailure the download's failures, `not-gguf`, `unsupported-gguf-version`,
 * `truncated-file`.
 */
export async function openGguf(
  store: ShardStore,
  url: string,
  label: string,
  signal: AbortSignal,
  onEvent: (event: LoadEvent) => void,
): Promise<OpenedGguf> {
  const stored = await readFile(store, url);
  if (stored) {
    onEvent({ type: 'stage', stage: 'verifying' });
    const check = await checkGguf(stored);
    if (check.ok) return { file: stored, header: check.header, fromStorage: true };
    // A stored copy that no longer checks out is dropped and fetched again.
    await deleteFile(store, url);
  }

  // The Content-Security-Policy would block any other host anyway, with an opaque network error.
  if (!hostAllows(allowedModelHosts(), url)) {
    throw new EngineFailure({
      kind: 'host-not-allowed',
      url,
      allowedHosts: [...allowedModelHosts()],
    });
  }
  const { verified: header } = await downloadToStore(store, url, label, {
    signal,
    onProgress: (loadedBytes, totalBytes) =>
      onEvent({ type: 'download', loadedBytes, totalBytes, at: Date.now() }),
    checkHead: (head) => {
      if (!GGUF_MAGIC.every((byte, i) => head[i] === byte)) {
        throw new EngineFailure({ kind: 'not-gguf', source: url });
      }
    },
    verify: async (file) => {
      onEvent({ type: 'stage', stage: 'verifying' });
      const check = await checkGguf(file);
      if (!check.ok) throw new EngineFailure(checkError(check, url));
      return check.header;
    },
  });
  const file = await readFile(store, url);
  if (!file) throw new EngineFailure({ kind: 'internal', detail: 'stored file vanished' });
  return { file, header, fromStorage: false };
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
  }
}
