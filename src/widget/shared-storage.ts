import type { ModelSpec } from '../shared/engine-protocol.ts';
import { readFile, openShardStore } from '../shared/shard-store.ts';
import { describe } from '../shared/engine-failure.ts';

/**
 * The app origin's own storage, from inside a cross-site iframe. Chromium keeps an embedded
 * page's storage apart per top-level site (storage partitioning), so a widget on another site
 * sees an empty store even where the visitor has the model from the app. The Storage Access API
 * (`document.requestStorageAccess({ indexedDB: true })`, Chromium 125+) hands the frame a handle
 * to its origin's unpartitioned IndexedDB, after a click, and where the browser lets it (a prompt,
 * or third-party cookies allowed). Workers do not get that access, so the widget reads the model's
 * Blobs here, in its window, and passes them to the inference worker (`EngineStore.loadFiles`).
 */

/** What `requestStorageAccess` gives when asked for IndexedDB (not yet in TypeScript's DOM types). */
interface StorageAccessHandle {
  indexedDB?: IDBFactory;
}

type StorageAccessDocument = Document & {
  requestStorageAccess: (types?: {
    indexedDB: boolean;
  }) => Promise<StorageAccessHandle | undefined>;
};

export type SharedStorageAccess =
  { ok: true; indexedDB: IDBFactory } | { ok: false; reason: string };

/** Whether this browser can be asked for the app's own storage at all. */
export const canAskForSharedStorage = (doc: Document = document): boolean =>
  'requestStorageAccess' in doc && 'hasStorageAccess' in doc;

/**
 * Asks for the app origin's own IndexedDB. Call it from the visitor's click: without a user
 * gesture the browser refuses (unless it already gives this frame access).
 */
export async function requestSharedStorage(doc: Document = document): Promise<SharedStorageAccess> {
  if (!canAskForSharedStorage(doc)) {
    return { ok: false, reason: 'this browser has no Storage Access API' };
  }
  try {
    const handle = await (doc as StorageAccessDocument).requestStorageAccess({ indexedDB: true });
    return handle?.indexedDB
      ? { ok: true, indexedDB: handle.indexedDB }
      : { ok: false, reason: 'the browser gave no IndexedDB handle' };
  } catch (cause) {
    return { ok: false, reason: describe(cause) };
  }
}

/**
 * The model's file as the app stored it in `factory` (complete and whole), or null. A widget
 * model is one file by URL (split models are loaded through the app's repo listing only).
 */
export async function readSharedModel(
  factory: IDBFactory,
  spec: ModelSpec,
): Promise<Blob[] | null> {
  if (spec.engine !== 'gguf') return null;
  const file = await readFile(openShardStore(undefined, factory), spec.url);
  return file && [file];
}
