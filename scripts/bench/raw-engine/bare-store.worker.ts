/**
 * The least work that puts a download on disk, in two places:
 *
 * - `indexeddb`: the body is cut into 8 MiB Blobs (the app's chunk size for this file) and each is
 *   put in its own transaction, two at a time, as the app does; nothing else (no manifest, no hash,
 *   no checks, no messages to a UI). The benchmark sets the app's download against it to tell what
 *   the app adds from what IndexedDB itself costs.
 * - `indexeddb-ranges`: the file is fetched as 8 MiB Range requests, two at a time, each read by
 *   `response.blob()` and put as it is, so the bytes never enter JavaScript: the least IndexedDB can
 *   cost for a download. (Not the app's way: no progress within a piece, one request per piece.)
 * - `opfs`: each network piece is written straight into a file of the origin private file system
 *   through a sync access handle. The app does not store there (models live in IndexedDB); this is
 *   the cheapest way any page has to put bytes on disk, so it is the ceiling for every store.
 */
import type { StoreReply, StoreRequest } from './raw-engine-api.ts';

const CHUNK_BYTES = 8 << 20;
const WRITES_IN_FLIGHT = 2;

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('bare-idb-store', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('chunks');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('indexedDB.open failed'));
  });
}

function put(db: IDBDatabase, key: number, chunk: Blob): Promise<void> {
  return new Promise((resolve, reject) => {
    const transaction = db.transaction('chunks', 'readwrite');
    transaction.objectStore('chunks').put(chunk, key);
    transaction.oncomplete = () => resolve();
    transaction.onerror = transaction.onabort = () =>
      reject(transaction.error ?? new Error('put failed'));
  });
}

async function body(url: string): Promise<ReadableStreamDefaultReader<Uint8Array<ArrayBuffer>>> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.body) throw new Error(`${url}: no body`);
  return response.body.getReader();
}

async function storeInIndexedDb(url: string): Promise<number> {
  const db = await openDatabase();
  const reader = await body(url);
  const writes: Promise<void>[] = [];
  let pieces: Uint8Array<ArrayBuffer>[] = [];
  let filled = 0;
  let bytes = 0;
  let key = 0;
  const flush = async () => {
    if (writes.length >= WRITES_IN_FLIGHT) await writes.shift();
    writes.push(put(db, key++, new Blob(pieces)));
    pieces = [];
    filled = 0;
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    for (let at = 0; at < value.byteLength;) {
      const take = Math.min(value.byteLength - at, CHUNK_BYTES - filled);
      pieces.push(value.subarray(at, at + take));
      filled += take;
      at += take;
      if (filled === CHUNK_BYTES) await flush();
    }
  }
  if (filled > 0) await flush();
  await Promise.all(writes);
  db.close();
  return bytes;
}

/** OPFS's handle for workers, which TypeScript declares only in its WebWorker lib. */
interface SyncAccessHandle {
  write: (buffer: Uint8Array, options: { at: number }) => number;
  flush: () => void;
  close: () => void;
}
type WorkerFileHandle = FileSystemFileHandle & {
  createSyncAccessHandle: () => Promise<SyncAccessHandle>;
};

async function storeInIndexedDbByRanges(url: string): Promise<number> {
  const db = await openDatabase();
  const head = await fetch(url, { method: 'HEAD', cache: 'no-store' });
  const size = Number(head.headers.get('content-length'));
  let next = 0;
  let key = 0;
  const lane = async () => {
    while (next < size) {
      const start = next;
      const chunk = key++;
      next += CHUNK_BYTES;
      const end = Math.min(size, start + CHUNK_BYTES) - 1;
      const response = await fetch(url, {
        cache: 'no-store',
        headers: { Range: `bytes=${start}-${end}` },
      });
      if (response.status !== 206) throw new Error(`${url}: HTTP ${response.status} for a range`);
      await put(db, chunk, await response.blob());
    }
  };
  await Promise.all(Array.from({ length: WRITES_IN_FLIGHT }, lane));
  db.close();
  return size;
}

async function storeInOpfs(url: string): Promise<number> {
  const root = await navigator.storage.getDirectory();
  const handle = await root.getFileHandle(`bare-${crypto.randomUUID()}`, { create: true });
  const file = await (handle as WorkerFileHandle).createSyncAccessHandle();
  try {
    const reader = await body(url);
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += file.write(value, { at: bytes });
    }
    file.flush();
    return bytes;
  } finally {
    file.close();
  }
}

self.onmessage = ({ data: { url, sink } }: MessageEvent<StoreRequest>) => {
  const started = performance.now();
  const store = {
    indexeddb: storeInIndexedDb,
    'indexeddb-ranges': storeInIndexedDbByRanges,
    opfs: storeInOpfs,
  }[sink];
  store(url).then(
    (bytes) => {
      const reply: StoreReply = { ok: true, ms: performance.now() - started, bytes };
      self.postMessage(reply);
    },
    (error: unknown) => self.postMessage({ ok: false, detail: String(error) } satisfies StoreReply),
  );
};
