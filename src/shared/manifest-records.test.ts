import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { listManifests, openShardStore, type FileManifest } from './shard-store.ts';

/**
 * Every shape of file manifest the app ever wrote (`__fixtures__`, each as the commit named wrote
 * it) opens through the shard store's read path. JSON has no bytes: a saved hash state is written
 * there as `{ "$uint8array": [...] }`, read back as the Uint8Array that IndexedDB holds.
 */
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(
    readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), 'utf8'),
    (_, value: unknown) =>
      typeof value === 'object' && value !== null && '$uint8array' in value
        ? new Uint8Array(value.$uint8array as number[])
        : value,
  ) as Record<string, unknown>;

const versions: [name: string, writtenBy: string, expected: Partial<FileManifest>][] = [
  [
    'manifest-v1',
    '12c6f22: one file in 8 MiB chunks, counted',
    {
      modelUrl: 'https://models.example/stories260K.gguf',
      partCount: 1,
      sizeBytes: 1185376,
      chunkBytes: 8 << 20,
      storedBytes: 1185376,
      sha256: null,
      complete: true,
    },
  ],
  [
    'manifest-v2-unhashed-bytes',
    '646f065: resumable, its hash state always after every stored byte',
    {
      chunkBytes: 65536,
      storedBytes: 327680,
      hashState: new Uint8Array([3, 1, 4, 1, 5, 9, 2, 6]),
      hashedBytes: 327680,
      complete: false,
    },
  ],
  [
    'manifest-v2',
    'd8efa55 (now): + how many bytes the hash state covers',
    { storedBytes: 1185376, hashState: null, quantization: 'Q8_0', complete: true },
  ],
];

async function listStored(records: Record<string, unknown>[]) {
  const store = openShardStore(`manifest-records-${crypto.randomUUID()}`);
  for (const [i, record] of records.entries()) await set(`key-${i}`, record, store.manifests);
  return listManifests(store);
}

describe('stored file manifests of every version', () => {
  it.each(versions)('%s (written by %s) opens', async (name, _, expected) => {
    const stored = fixture(name);
    expect(await listStored([stored])).toEqual([
      expect.objectContaining({ version: 2, url: stored.url, label: stored.label, ...expected }),
    ]);
  });

  it('drops a damaged manifest, and a hash state it cannot trust', async () => {
    const v2 = fixture('manifest-v2');
    const partial = fixture('manifest-v2-unhashed-bytes');
    const listed = await listStored([
      { ...v2, url: 'cut', storedBytes: 1000 },
      { ...v2, url: 'later', version: 3 },
      { ...fixture('manifest-v1'), url: 'miscounted', chunkCount: 2 },
      { ...partial, url: 'ahead', hashedBytes: 10 ** 9 },
    ]);
    expect(listed).toEqual([
      expect.objectContaining({ url: 'ahead', hashState: null, hashedBytes: 0 }),
    ]);
  });
});
