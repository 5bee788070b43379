import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { sha256Core } from './sha256-hasher.ts';
import {
  beginFile,
  openShardStore,
  type FileWriter,
  type ShardStore,
} from '../../shared/shard-store.ts';
import { hasherFor } from './stored-file-hasher.ts';

const SIZE = 1_000_000; // 64 KiB chunks
const CHUNK = 64 << 10;
const bytes = new Uint8Array(SIZE).map((_, i) => (i * 11) & 0xff);
const expected = createHash('sha256').update(bytes).digest('hex');

let store: ShardStore;
let n = 0;
beforeEach(() => {
  store = openShardStore(`hasher-${++n}`);
});

/** A partial file of three stored chunks, its manifest saying it hashed `hashedBytes` of them. */
async function partial(hashedBytes: number | null, sha256: string | null = expected) {
  const writer: FileWriter = await beginFile(store, {
    url: 'https://h/m.gguf',
    label: 'm',
    modelUrl: 'https://h/m.gguf',
    partIndex: 0,
    partCount: 1,
    sizeBytes: SIZE,
    sha256,
    validator: null,
  });
  const state =
    hashedBytes === null
      ? null
      : (await sha256Core({ hashedBytes: 0, state: null })).update(bytes.subarray(0, hashedBytes));
  for (let i = 0; i < 3; i++) {
    await writer.append(new Blob([bytes.subarray(i * CHUNK, (i + 1) * CHUNK)]), () => state);
  }
  return writer.manifest;
}

async function digestAfterRest(manifest: Awaited<ReturnType<typeof partial>>) {
  const hasher = await hasherFor(store, manifest);
  if (!hasher) throw new Error('expected a hasher');
  hasher.update(bytes.slice(manifest.storedBytes));
  return hasher.digest();
}

describe('hasherFor', () => {
  it('continues from a saved state that covers every stored byte', async () => {
    const manifest = await partial(3 * CHUNK);
    expect(manifest.hashedBytes).toBe(3 * CHUNK);
    expect(await digestAfterRest(manifest)).toBe(expected);
  });

  it('hashes the stored bytes after a state that lagged behind the writes', async () => {
    const manifest = await partial(CHUNK);
    expect(manifest.hashedBytes).toBe(CHUNK);
    expect(await digestAfterRest(manifest)).toBe(expected);
  });

  it('hashes every stored byte again when no state was saved', async () => {
    const manifest = await partial(null);
    expect(manifest.hashState).toBeNull();
    expect(await digestAfterRest(manifest)).toBe(expected);
  });

  it('gives no hasher for a file without an expected SHA-256', async () => {
    expect(await hasherFor(store, await partial(null, null))).toBeNull();
  });
});
