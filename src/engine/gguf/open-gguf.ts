import type { EngineError, GgufPart, LoadEvent, ModelSpec } from '../../shared/engine-protocol.ts';
import { parseResolveUrl, restoreTree, treeUrl } from '../../shared/hf-listing.ts';
import { quantizationOf } from '../../shared/hf-listing.ts';
import { allowedModelHosts, hostAllows } from '../../shared/model-hosts.ts';
import { EngineFailure } from '../../shared/engine-failure.ts';
import { ensureSpace } from '../library/storage-space.ts';
import { downloadToStore, importToStore, type StoreOptions } from '../storage/download-to-store.ts';
import { getManifest, readFile, type ShardStore } from '../storage/shard-store.ts';
import { checkGguf, type GgufCheck, type GgufHeader } from './gguf-header.ts';
import { downloadLockName } from '../../shared/model-keys.ts';

export type GgufSpec = Extract<ModelSpec, { engine: 'gguf' }>;

export interface OpenedGguf {
  /** The model's files in order (one, or every part of a split model). */
  files: Blob[];
  header: GgufHeader;
  /** True when the files came from IndexedDB without any request to their host. */
  fromStorage: boolean;
}

const GGUF_MAGIC = [0x47, 0x47, 0x55, 0x46]; // "GGUF"
const OTHER_TAB_POLL_MS = 250;

export const partsOf = (spec: GgufSpec): GgufPart[] =>
  spec.parts && spec.parts.length > 0
    ? spec.parts
    : [{ url: spec.url, sizeBytes: null, sha256: null }];

/**
 * Returns a checked GGUF model: the stored copy when there is a good one, else a download that
 * resumes what an earlier one left and is stored (and marked complete) only once it checks out.
 * Only one tab downloads a model at a time (a Web Lock per model): another tab waits, reports the
 * downloading tab's progress, and then uses the stored copy.
 *
 * @throws EngineFailure the download's failures, `not-gguf`, `unsupported-gguf-version`,
 * `truncated-file`.
 */
export async function openGguf(
  store: ShardStore,
  spec: GgufSpec,
  signal: AbortSignal,
  onEvent: (event: LoadEvent) => void,
): Promise<OpenedGguf> {
  const stored = await readStored(store, spec, onEvent);
  if (stored) return stored;
  return withDownloadLock(store, spec, signal, onEvent, async () => {
    // Another tab may have stored it while this one waited.
    const storedMeanwhile = await readStored(store, spec, onEvent);
    if (storedMeanwhile) return storedMeanwhile;
    const parts = await withKnownHashes(partsOf(spec), signal);
    return download(store, spec, parts, signal, onEvent);
  });
}

/** The stored, complete and still valid files of `spec`, or null (a bad copy is dropped). */
async function readStored(
  store: ShardStore,
  spec: GgufSpec,
  onEvent: (event: LoadEvent) => void,
): Promise<OpenedGguf | null> {
  const files: Blob[] = [];
  for (const part of partsOf(spec)) {
    const file = await readFile(store, part.url);
    if (!file) return null;
    files.push(file);
  }
  onEvent({ type: 'stage', stage: 'verifying' });
  let header: GgufHeader | null = null;
  for (const file of files) {
    const check = await checkGguf(file);
    if (!check.ok) return null; // downloaded again, never used
    header ??= check.header;
  }
  return header && { files, header, fromStorage: true };
}

/**
 * Downloads the parts that are not stored yet (a split model interrupted in its third part keeps
 * the first two) and returns every part as stored and checked.
 */
async function download(
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
    const stored = await storedPart(store, part.url);
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

/** A part stored complete and still valid, or null (it is then downloaded, resumed or again). */
async function storedPart(
  store: ShardStore,
  url: string,
): Promise<{ file: Blob; header: GgufHeader } | null> {
  const file = await readFile(store, url);
  if (!file) return null;
  const check = await checkGguf(file);
  return check.ok ? { file, header: check.header } : null;
}

/**
 * Copies a GGUF file picked on this device into the store, checked like a download.
 *
 * @throws EngineFailure `not-gguf`, `unsupported-gguf-version`, `truncated-file`,
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

function ggufStoreOptions(
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
      const check = await checkGguf(file);
      if (!check.ok) throw new EngineFailure(checkError(check, source));
      const name = source.slice(source.lastIndexOf('/') + 1);
      return {
        verified: check.header,
        quantization: check.header.quantization ?? quantizationOf(name),
      };
    },
  };
}

/**
 * Runs `work` holding this model's download lock. While another tab holds it, this one reports
 * that tab's progress (read from the manifests it commits chunk by chunk) and waits.
 */
async function withDownloadLock<T>(
  store: ShardStore,
  spec: GgufSpec,
  signal: AbortSignal,
  onEvent: (event: LoadEvent) => void,
  work: () => Promise<T>,
): Promise<T> {
  if (!('locks' in navigator)) return work();
  const name = downloadLockName(spec.url);
  const free = await navigator.locks.request(name, { ifAvailable: true }, async (lock) =>
    lock ? { value: await work() } : null,
  );
  if (free) return free.value;

  const watching = new AbortController();
  void reportOtherTab(store, spec, watching.signal, onEvent);
  try {
    return await navigator.locks.request(name, { signal }, work);
  } catch (cause) {
    if (signal.aborted) throw new EngineFailure({ kind: 'cancelled' });
    throw cause;
  } finally {
    watching.abort();
  }
}

async function reportOtherTab(
  store: ShardStore,
  spec: GgufSpec,
  signal: AbortSignal,
  onEvent: (event: LoadEvent) => void,
): Promise<void> {
  const parts = partsOf(spec);
  // A function, because the signal changes while this loop awaits.
  const stopped = () => signal.aborted;
  while (!stopped()) {
    const manifests = await Promise.all(parts.map((p) => getManifest(store, p.url)));
    const sizes = manifests.map((m, i) => m?.sizeBytes ?? parts[i]?.sizeBytes ?? null);
    if (!stopped()) {
      onEvent({
        type: 'download',
        loadedBytes: manifests.reduce((sum, m) => sum + (m?.storedBytes ?? 0), 0),
        totalBytes: sizes.every((s) => s !== null) ? sizes.reduce((a, b) => a + b, 0) : null,
        at: Date.now(),
        inOtherTab: true,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, OTHER_TAB_POLL_MS));
  }
}

/**
 * Fills in the SHA-256 of Hugging Face files from the repo's listing where the spec lacks it
 * (a catalog entry or a pasted URL). Best effort: without the listing the size check remains.
 */
async function withKnownHashes(parts: GgufPart[], signal: AbortSignal): Promise<GgufPart[]> {
  return Promise.all(
    parts.map(async (part) => {
      const source = part.sha256 === null ? parseResolveUrl(part.url) : null;
      if (!source) return part;
      const directory = source.path.includes('/')
        ? source.path.slice(0, source.path.lastIndexOf('/'))
        : '';
      try {
        const response = await fetch(treeUrl(source.repo, source.revision, directory), { signal });
        if (!response.ok) return part;
        const listed = restoreTree(await response.json()).find((f) => f.path === source.path);
        return listed ? { ...part, sizeBytes: listed.sizeBytes, sha256: listed.sha256 } : part;
      } catch {
        if (signal.aborted) throw new EngineFailure({ kind: 'cancelled' });
        return part;
      }
    }),
  );
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
