import type { GgufPart, LoadEvent } from '../../shared/engine-protocol.ts';
import { allowedModelHosts, hostAllows } from '../../shared/model-hosts.ts';
import { EngineFailure } from '../../shared/engine-failure.ts';
import { downloadToStore } from '../storage/download-to-store.ts';
import type { ShardStore } from '../../shared/shard-store.ts';
import type { GgufHeader } from './gguf-header.ts';
import type { GgufSpec } from './gguf-spec.ts';
import { ggufStoreOptions } from './gguf-store-checks.ts';
import { readStoredPart, type OpenedGguf } from './stored-gguf.ts';

/**
 * Downloads the parts that are not stored yet (a split model interrupted in its third part keeps
 * the first two) and returns every part as stored and checked. Progress counts the bytes of the
 * whole model, stored parts included.
 *
 * @throws EngineFailure `host-not-allowed`, and the failures of `downloadToStore` and its checks.
 */
export async function downloadGgufParts(
  store: ShardStore,
  spec: GgufSpec,
  parts: GgufPart[],
  signal: AbortSignal,
  onEvent: (event: LoadEvent) => void,
): Promise<OpenedGguf> {
  const knownTotal = parts.every((p) => p.sizeBytes !== null)
    ? parts.reduce((sum, p) => sum + (p.sizeBytes ?? 0), 0)
    : null;
  const files: Blob[] = [];
  let header: GgufHeader | null = null;
  let before = 0;
  for (const [partIndex, part] of parts.entries()) {
    const stored = await readStoredPart(store, part.url);
    if (stored) {
      files.push(stored.file);
      header ??= stored.header;
      before += stored.file.size;
      continue;
    }
    // The Content-Security-Policy would block any other host anyway, with an opaque network error.
    if (!hostAllows(allowedModelHosts(), part.url)) {
      throw new EngineFailure({
        kind: 'host-not-allowed',
        url: part.url,
        allowedHosts: [...allowedModelHosts()],
      });
    }
    const downloaded = await downloadToStore(
      store,
      {
        url: part.url,
        label: spec.label,
        modelUrl: spec.url,
        partIndex,
        partCount: parts.length,
        sizeBytes: part.sizeBytes,
        sha256: part.sha256,
        validator: null,
      },
      ggufStoreOptions(part.url, signal, (loaded, total) =>
        onEvent({
          type: 'download',
          loadedBytes: before + loaded,
          totalBytes: parts.length === 1 ? total : knownTotal,
          at: Date.now(),
          inOtherTab: false,
        }),
      ),
    );
    files.push(downloaded.file);
    header ??= downloaded.verified;
    before += downloaded.file.size;
  }
  if (!header) throw new EngineFailure({ kind: 'internal', detail: 'a model without parts' });
  return { files, header, fromStorage: false };
}
