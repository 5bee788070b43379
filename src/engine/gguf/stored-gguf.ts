import type { LoadEvent } from '../../shared/engine-protocol.ts';
import { readFile, type ShardStore } from '../../shared/shard-store.ts';
import { checkGguf, type GgufHeader } from './gguf-header.ts';
import { partsOf, type GgufSpec } from './gguf-spec.ts';

/** A GGUF model's files as stored and checked, ready for wllama. */
export interface OpenedGguf {
  /** The model's files in order (one, or every part of a split model). */
  files: Blob[];
  header: GgufHeader;
  /** True when the files came from IndexedDB without any request to their host. */
  fromStorage: boolean;
}

/**
 * The stored, complete and still valid files of `spec`, or null when any part is missing or
 * fails its check (such a model is downloaded again, never used).
 */
export async function readStoredGguf(
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
    if (!check.ok) return null;
    header ??= check.header;
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
