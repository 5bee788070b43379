import { promisifyRequest, type UseStore } from 'idb-keyval';

/**
 * idb-keyval's `createStore`, on a given `IDBFactory` instead of the global one. An embedded
 * widget that was granted storage access reaches its origin's own (unpartitioned) databases only
 * through the `indexedDB` of the handle that `document.requestStorageAccess()` returns; with
 * this, the stores written for the global factory read the same there.
 */
export function storeIn(factory: IDBFactory, dbName: string, storeName: string): UseStore {
  let db: Promise<IDBDatabase> | undefined;
  const open = () => {
    if (db) return db;
    const request = factory.open(dbName);
    request.onupgradeneeded = () => request.result.createObjectStore(storeName);
    db = promisifyRequest(request);
    // A connection the browser closed (storage cleared, access withdrawn) is opened anew.
    const forget = () => {
      db = undefined;
    };
    void db.then((opened) => {
      opened.onclose = forget;
    }, forget);
    return db;
  };
  return (mode, callback) =>
    open().then((opened) => callback(opened.transaction(storeName, mode).objectStore(storeName)));
}
