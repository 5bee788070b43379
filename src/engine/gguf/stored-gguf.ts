import type { LoadEvent } from '../../shared/engine-protocol.ts';
import { EngineFailure } from '../../shared/engine-failure.ts';
import { deleteFile, inspectFile, readFile, type ShardStore } from '../../shared/shard-store.ts';
import { checkGguf, type GgufHeader } from './gguf-header.ts';
import { partsOf, type GgufSpec } from './gguf-spec.ts';
import { firstSha256Mismatch, type RecordedFile } from './stored-sha256.ts';

/** A GGUF model's files as stored and checked, ready for wllama. */
export interface OpenedGguf {
  /** The model's files in order (one, or every part of a split model). */
  files: Blob[];
  header: GgufHeader;
  /** True when the files came from IndexedDB without any request to their host. */
  fromStorage: boolean;
}

/**
 * The stored, complete and still valid files of `spec`, or null when a part is not stored (yet).
 * A part recorded complete that fails its checks now (a piece evicted or cut, a header that no
 * longer reads) is discarded, and the model is reported damaged: never used, never downloaded
 * again without the user's say. With `verifySha256`, the bytes of every part whose SHA-256 the
 * download recorded are hashed too: the only check that sees a changed byte inside the tensors.
 *
 * @throws EngineFailure `stored-model-damaged`, `cancelled`
 */
export async function readStoredGguf(
  store: ShardStore,
  spec: GgufSpec,
  onEvent: (event: LoadEvent) => void,
  { verifySha256, signal }: { verifySha256: boolean; signal: AbortSignal },
): Promise<OpenedGguf | null> {
  const parts = partsOf(spec);
  const damaged = async (url: string, problem: string) => {
    await deleteFile(store, url);
    const part = parts.length > 1 ? ` (part ${parts.findIndex((p) => p.url === url) + 1})` : '';
    return new EngineFailure({
      kind: 'stored-model-damaged',
      label: spec.label,
      problem: `${problem}${part}`,
      local: spec.url.startsWith('local:'),
    });
  };
  const recorded: RecordedFile[] = [];
  for (const part of parts) {
    const stored = await inspectFile(store, part.url);
    if (stored.state === 'absent') return null;
    if (stored.state === 'damaged') throw await damaged(part.url, stored.problem);
    recorded.push(stored);
  }
  const files = recorded.map((r) => r.file);
  onEvent({ type: 'stage', stage: 'verifying' });
  let header: GgufHeader | null = null;
  for (const [index, file] of files.entries()) {
    const check = await checkGguf(file);
    if (!check.ok) {
      const url = parts[index]?.url ?? spec.url;
      throw await damaged(url, `its header no longer checks out (${check.problem})`);
    }
    header ??= check.header;
  }
  if (verifySha256) {
    const mismatch = await firstSha256Mismatch(recorded, signal, (hashedBytes, totalBytes) =>
      onEvent({ type: 'hashing', hashedBytes, totalBytes }),
    );
    if (mismatch) {
      const url = parts[mismatch.index]?.url ?? spec.url;
      const expected = recorded[mismatch.index]?.sha256 ?? '';
      throw await damaged(
        url,
        `its SHA-256 is ${mismatch.actual.slice(0, 12)}…, not the ${expected.slice(0, 12)}… recorded when it was downloaded`,
      );
    }
  }
  return header && { files, header, fromStorage: true };
}

/** One part stored complete and still valid, or null (it is then downloaded, resumed or again). */
export async function readStoredPart(
  store: ShardStore,
  url: string,
): Promise<{ file: Blob; header: GgufHeader } | null> {
  const file = await readFile(store, url);
  if (!file) return null;
  const check = await checkGguf(file);
  return check.ok ? { file, header: check.header } : null;
}
