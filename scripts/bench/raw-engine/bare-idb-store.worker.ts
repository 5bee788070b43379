/**
 * The least work that puts a download into IndexedDB: the body is cut into 8 MiB Blobs (the app's
 * chunk size for this file) and each is put in its own transaction, two at a time, as the app
 * does; nothing else (no manifest, no hash, no checks, no messages to a UI). The benchmark sets the
 * app's download against it to tell what the app adds from what IndexedDB itself costs.
 */
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

async function store(url: string): Promise<{ ms: number; bytes: number }> {
  const db = await openDatabase();
  const started = performance.now();
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.body) throw new Error(`${url}: no body`);
  const reader = response.body.getReader();
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
  const ms = performance.now() - started;
  db.close();
  return { ms, bytes };
}

self.onmessage = (event: MessageEvent<string>) => {
  store(event.data).then(
    (result) => self.postMessage({ ok: true, ...result }),
    (error: unknown) => self.postMessage({ ok: false, detail: String(error) }),
  );
};
