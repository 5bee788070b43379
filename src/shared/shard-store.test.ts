import 'fake-indexeddb/auto';
import { get, set } from 'idb-keyval';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  beginFile,
  chunkBytesFor,
  deleteFile,
  getManifest,
  inspectFile,
  listManifests,
  MAX_CHUNK_BYTES,
  openShardStore,
  readFile,
  restoreManifest,
  resumeFile,
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

const newFile = (url: string, sizeBytes: number | null) => ({
  url,
  label: url,
  modelUrl: url,
  partIndex: 0,
  partCount: 1,
  sizeBytes,
  sha256: null,
  validator: null,
});

/** Writes `size` bytes in the store's chunks for that size; commits unless told otherwise. */
async function writeFile(url: string, size: number, seed: number, commit = true) {
  const data = bytes(size, seed);
  const writer = await beginFile(store, newFile(url, size));
  const chunk = writer.manifest.chunkBytes;
  for (let at = 0; at < size; at += chunk) {
    await writer.append(new Blob([data.subarray(at, at + chunk)]));
  }
  if (commit) await writer.commit('Q8_0');
  return { writer, data };
}

describe('chunkBytesFor', () => {
  it('cuts small files finely and big ones into 8 MiB chunks, always a power of two', () => {
    expect(chunkBytesFor(1_185_632)).toBe(64 << 10);
    expect(chunkBytesFor(200e6)).toBe(8 << 20);
    expect(chunkBytesFor(4e9)).toBe(MAX_CHUNK_BYTES);
    expect(chunkBytesFor(null)).toBe(MAX_CHUNK_BYTES);
    const mid = chunkBytesFor(20e6);
    expect(mid).toBe(1 << 20); // 20 MB / 32 = 625 kB → next power of two
    expect(Math.ceil(20e6 / mid)).toBeLessThanOrEqual(32);
  });
});

describe('shard store', () => {
  it('stores a file in chunks and reads back the same bytes', async () => {
    const { data } = await writeFile('https://h/a.gguf', 300_000, 1);
    const file = await readFile(store, 'https://h/a.gguf');
    if (!file) throw new Error('file not stored');
    expect(same(new Uint8Array(await file.arrayBuffer()), data)).toBe(true);
    expect(await listManifests(store)).toMatchObject([
      { url: 'https://h/a.gguf', storedBytes: 300_000, complete: true, quantization: 'Q8_0' },
    ]);
  });

  it('reads the same files through another IDBFactory handle of the same databases', async () => {
    // What an embedded widget does with the factory of its storage-access handle.
    const { data } = await writeFile('https://h/shared.gguf', 200_000, 5);
    const throughHandle = openShardStore(`test-${n}`, indexedDB);
    const file = await readFile(throughHandle, 'https://h/shared.gguf');
    if (!file) throw new Error('not found through the handle');
    expect(same(new Uint8Array(await file.arrayBuffer()), data)).toBe(true);
    // Another prefix is another database: nothing there.
    expect(await readFile(openShardStore('elsewhere', indexedDB), 'https://h/shared.gguf')).toBe(
      null,
    );
  });

  it('records progress after every chunk and never offers an unfinished file', async () => {
    const { writer } = await writeFile('https://h/partial.gguf', 300_000, 3, false);
    expect(writer.manifest.chunkBytes).toBe(64 << 10);
    expect(await getManifest(store, 'https://h/partial.gguf')).toMatchObject({
      storedBytes: 300_000,
      complete: false,
    });
    expect(await readFile(store, 'https://h/partial.gguf')).toBeNull();
  });

  it('resumes a partial file after its last recorded chunk', async () => {
    const url = 'https://h/resume.gguf';
    const data = bytes(200_000, 9);
    const first = await beginFile(store, newFile(url, data.length));
    const chunk = first.manifest.chunkBytes;
    await first.append(new Blob([data.subarray(0, chunk)]), () => ({
      hashedBytes: chunk,
      state: new Uint8Array([1, 2, 3]),
    }));
    // A hash state ahead of the stored bytes is useless for a resume and is not recorded.
    await first.append(new Blob([data.subarray(chunk, 2 * chunk)]), () => ({
      hashedBytes: 3 * chunk,
      state: new Uint8Array([4]),
    }));

    const manifest = await getManifest(store, url);
    if (!manifest) throw new Error('no manifest');
    expect(manifest).toMatchObject({ storedBytes: 2 * chunk, hashedBytes: chunk });
    expect(manifest.hashState).toEqual(new Uint8Array([1, 2, 3]));
    const second = await resumeFile(store, manifest);
    if (!second) throw new Error('not resumable');
    for (let at = 2 * chunk; at < data.length; at += chunk) {
      await second.append(new Blob([data.subarray(at, at + chunk)]));
    }
    await second.commit(null);
    const file = await readFile(store, url);
    if (!file) throw new Error('file not stored');
    expect(same(new Uint8Array(await file.arrayBuffer()), data)).toBe(true);
  });

  it('refuses to resume a partial file whose chunks are gone', async () => {
    const { writer } = await writeFile('https://h/lost.gguf', 300_000, 4, false);
    await store.chunks('readwrite', (chunks) => {
      chunks.delete(['https://h/lost.gguf', 1]);
      return new Promise((resolve) => (chunks.transaction.oncomplete = resolve));
    });
    expect(await resumeFile(store, writer.manifest)).toBeNull();
  });

  it('reports a complete file with a missing chunk as absent', async () => {
    await writeFile('https://h/b.gguf', 300_000, 4);
    await store.chunks('readwrite', (chunks) => {
      chunks.delete(['https://h/b.gguf', 1]);
      return new Promise((resolve) => (chunks.transaction.oncomplete = resolve));
    });
    expect(await readFile(store, 'https://h/b.gguf')).toBeNull();
  });

  it('tells a damaged complete file from an absent one, and says which piece', async () => {
    await writeFile('https://h/c.gguf', 300_000, 5);
    await writeFile('https://h/d.gguf', 300_000, 6, false);
    const chunkBytes = chunkBytesFor(300_000);
    const pieces = Math.ceil(300_000 / chunkBytes);
    expect((await inspectFile(store, 'https://h/c.gguf')).state).toBe('ok');
    expect(await inspectFile(store, 'https://h/d.gguf')).toEqual({ state: 'absent' });
    await set(['https://h/c.gguf', 2], new Blob([new Uint8Array(10)]), store.chunks);
    expect(await inspectFile(store, 'https://h/c.gguf')).toEqual({
      state: 'damaged',
      problem: `piece 3 of ${pieces} has 10 bytes instead of ${chunkBytes}`,
    });
    await store.chunks('readwrite', (chunks) => {
      chunks.delete(['https://h/c.gguf', 0]);
      return new Promise((resolve) => (chunks.transaction.oncomplete = resolve));
    });
    expect(await inspectFile(store, 'https://h/c.gguf')).toEqual({
      state: 'damaged',
      problem: `piece 1 of ${pieces} is missing`,
    });
  });

  it('deletes one file and leaves the others intact', async () => {
    await writeFile('https://h/keep.gguf', 100, 6);
    await writeFile('https://h/drop.gguf', 200, 7);
    await deleteFile(store, 'https://h/drop.gguf');

    expect(await readFile(store, 'https://h/drop.gguf')).toBeNull();
    expect((await readFile(store, 'https://h/keep.gguf'))?.size).toBe(100);
    expect((await listManifests(store)).map((m) => m.url)).toEqual(['https://h/keep.gguf']);
  });

  it('discarding a writer removes its chunks', async () => {
    const { writer } = await writeFile('https://h/c.gguf', 70_000, 8, false);
    await writer.discard();
    expect(await get(['https://h/c.gguf', 0], store.chunks)).toBeUndefined();
    expect(await get('https://h/c.gguf', store.manifests)).toBeUndefined();
  });

  it('reads version 1 manifests and ignores damaged or unknown ones', async () => {
    await set('https://h/old.gguf', { version: 0, url: 'x' }, store.manifests);
    await set('https://h/junk.gguf', 'junk', store.manifests);
    expect(await listManifests(store)).toEqual([]);
    expect(restoreManifest(null)).toBeNull();
    const v1 = { version: 1, url: 'u', label: 'l', sizeBytes: 10, chunkCount: 1, storedAt: 1 };
    expect(restoreManifest({ ...v1, complete: true })).toMatchObject({
      version: 2,
      modelUrl: 'u',
      chunkBytes: MAX_CHUNK_BYTES,
      storedBytes: 10,
      complete: true,
    });
    expect(restoreManifest({ ...v1, complete: false })).toMatchObject({ storedBytes: 0 });
    expect(restoreManifest({ ...v1, chunkCount: 5 })).toBeNull(); // inconsistent with the size
    const v2 = (await getManifest(store, 'x')) ?? {
      ...newFile('u', 100),
      version: 2,
      chunkBytes: 64,
      storedBytes: 64,
      hashState: null,
      hashedBytes: 0,
      quantization: null,
      complete: false,
      storedAt: 1,
    };
    expect(restoreManifest(v2)).toEqual(v2);
    expect(restoreManifest({ ...v2, storedBytes: 65 })).toBeNull(); // not a whole chunk
    expect(restoreManifest({ ...v2, storedBytes: 128 })).toBeNull(); // more than the file
  });
});
