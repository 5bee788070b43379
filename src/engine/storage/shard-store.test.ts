import 'fake-indexeddb/auto';
import { get, set } from 'idb-keyval';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  beginFile,
  CHUNK_BYTES,
  deleteFile,
  listCompleteFiles,
  openShardStore,
  readFile,
  restoreManifest,
  type ShardStore,
} from './shard-store.ts';

let store: ShardStore;
let n = 0;
beforeEach(() => {
  store = openShardStore(`test-${++n}`);
});

const bytes = (length: number, seed: number): Uint8Array<ArrayBuffer> =>
  new Uint8Array(length).map((_, i) => (i * 31 + seed) & 0xff);
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

async function writeFile(url: string, parts: Uint8Array<ArrayBuffer>[], commit = true) {
  const writer = await beginFile(store, url, url);
  for (const part of parts) await writer.append(new Blob([part]));
  if (commit) await writer.commit();
  return writer;
}

describe('shard store', () => {
  it('stores a file in chunks and reads back the same bytes', async () => {
    const first = bytes(CHUNK_BYTES, 1);
    const last = bytes(1234, 2);
    await writeFile('https://h/a.gguf', [first, last]);

    const file = await readFile(store, 'https://h/a.gguf');
    expect(file?.size).toBe(CHUNK_BYTES + 1234);
    if (!file) throw new Error('file not stored');
    const back = new Uint8Array(await file.arrayBuffer());
    expect(same(back.subarray(0, CHUNK_BYTES), first)).toBe(true);
    expect(same(back.subarray(CHUNK_BYTES), last)).toBe(true);

    const listed = await listCompleteFiles(store);
    expect(listed).toMatchObject([{ url: 'https://h/a.gguf', chunkCount: 2, complete: true }]);
  });

  it('never offers a file whose writing did not finish', async () => {
    await writeFile('https://h/partial.gguf', [bytes(CHUNK_BYTES, 3)], false);
    expect(await readFile(store, 'https://h/partial.gguf')).toBeNull();
    expect(await listCompleteFiles(store)).toEqual([]);
  });

  it('reports a file with a missing chunk as absent', async () => {
    await writeFile('https://h/b.gguf', [bytes(CHUNK_BYTES, 4), bytes(10, 5)]);
    await store.chunks('readwrite', (chunks) => {
      chunks.delete(['https://h/b.gguf', 1]);
      return new Promise((resolve) => (chunks.transaction.oncomplete = resolve));
    });
    expect(await readFile(store, 'https://h/b.gguf')).toBeNull();
  });

  it('deletes one file and leaves the others intact', async () => {
    await writeFile('https://h/keep.gguf', [bytes(100, 6)]);
    await writeFile('https://h/drop.gguf', [bytes(200, 7)]);
    await deleteFile(store, 'https://h/drop.gguf');

    expect(await readFile(store, 'https://h/drop.gguf')).toBeNull();
    expect((await readFile(store, 'https://h/keep.gguf'))?.size).toBe(100);
    expect((await listCompleteFiles(store)).map((m) => m.url)).toEqual(['https://h/keep.gguf']);
  });

  it('discarding a writer removes its chunks', async () => {
    const writer = await writeFile('https://h/c.gguf', [bytes(CHUNK_BYTES, 8)], false);
    await writer.discard();
    expect(await get(['https://h/c.gguf', 0], store.chunks)).toBeUndefined();
    expect(await get('https://h/c.gguf', store.manifests)).toBeUndefined();
  });

  it('ignores damaged or unknown manifests', async () => {
    await set('https://h/old.gguf', { version: 0, url: 'x' }, store.manifests);
    await set('https://h/junk.gguf', 'junk', store.manifests);
    expect(await listCompleteFiles(store)).toEqual([]);
    expect(restoreManifest(null)).toBeNull();
    expect(
      restoreManifest({
        version: 1,
        url: 'u',
        label: 'l',
        sizeBytes: 10,
        chunkCount: 5, // inconsistent with the size
        complete: true,
        storedAt: 1,
      }),
    ).toBeNull();
  });
});
