import type { LoadEvent } from '../../shared/engine-protocol.ts';
import { importToStore } from '../storage/download-to-store.ts';
import { readFile, type ShardStore } from '../../shared/shard-store.ts';
import { downloadGgufParts } from './download-gguf-parts.ts';
import { withDownloadLock } from './download-lock.ts';
import { partsOf, type GgufSpec } from './gguf-spec.ts';
import { ggufStoreOptions } from './gguf-store-checks.ts';
import { withKnownHashes } from './hf-known-hashes.ts';
import { reportOtherTabProgress } from './other-tab-progress.ts';
import { readStoredGguf, type OpenedGguf } from './stored-gguf.ts';

/**
 * Returns a checked GGUF model: the stored copy when there is a good one, else a download that
 * resumes what an earlier one left and is stored (and marked complete) only once it checks out.
 * Only one tab downloads a model at a time (a Web Lock per model): another tab waits, reports the
 * downloading tab's progress, and then uses the stored copy.
 *
 * `verifySha256`: see `LoadOptions`.
 *
 * @throws EngineFailure the download's failures, `stored-model-damaged`, `not-gguf`, `unsupported-gguf-version`,
 * `truncated-file`, `malformed-gguf`.
 */
export async function openGguf(
  store: ShardStore,
  spec: GgufSpec,
  signal: AbortSignal,
  onEvent: (event: LoadEvent) => void,
  verifySha256 = false,
): Promise<OpenedGguf> {
  const check = { verifySha256, signal };
  const stored = await readStoredGguf(store, spec, onEvent, check);
  if (stored) return stored;
  return withDownloadLock(
    spec.url,
    signal,
    (stop) => void reportOtherTabProgress(store, spec, stop, onEvent),
    async () => {
      // Another tab may have stored it while this one waited.
      const storedMeanwhile = await readStoredGguf(store, spec, onEvent, check);
      if (storedMeanwhile) return storedMeanwhile;
      const parts = await withKnownHashes(partsOf(spec), signal);
      return downloadGgufParts(store, spec, parts, signal, onEvent);
    },
  );
}

/**
 * Copies a GGUF file picked on this device into the store, checked like a download.
 *
 * @throws EngineFailure `not-gguf`, `unsupported-gguf-version`, `truncated-file`, `malformed-gguf`,
 * `not-enough-storage`, `storage-full`, `cancelled`.
 */
export async function importGguf(
  store: ShardStore,
  file: File,
  signal: AbortSignal,
  onEvent: (event: LoadEvent) => void,
): Promise<GgufSpec> {
  // Name, size and date identify the picked file: picking it again finds the stored copy.
  const url = `local:${file.name}:${file.size}:${file.lastModified}`;
  const label = file.name.replace(/\.gguf$/i, '');
  const spec: GgufSpec = { engine: 'gguf', url, label };
  if (await readFile(store, url)) return spec;
  await importToStore(
    store,
    file,
    {
      url,
      label,
      modelUrl: url,
      partIndex: 0,
      partCount: 1,
      sizeBytes: file.size,
      sha256: null,
      validator: null,
    },
    ggufStoreOptions(url, signal, (loaded, total) =>
      onEvent({
        type: 'download',
        loadedBytes: loaded,
        totalBytes: total,
        at: Date.now(),
        inOtherTab: false,
      }),
    ),
  );
  return spec;
}
