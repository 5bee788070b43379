import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { downloadLockName } from '../../shared/model-keys.ts';
import { failureOf } from '../engine-failure-testing.ts';
import { FakeLockManager } from '../gguf/web-locks-testing.ts';
import {
  beginFile,
  getManifest,
  openShardStore,
  type ShardStore,
} from '../../shared/shard-store.ts';
import type { GgufSpec } from '../gguf/gguf-spec.ts';
import {
  deleteGgufModel,
  deleteGgufModelUnlessDownloading,
  listGgufModels,
  openGgufModels,
  rememberGgufModel,
} from './gguf-models.ts';

let store: ShardStore;
let models: ReturnType<typeof openGgufModels>;
let n = 0;
beforeEach(() => {
  n += 1;
  store = openShardStore(`library-${n}`);
  models = openGgufModels(`library-${n}`);
});

const split: GgufSpec = {
  engine: 'gguf',
  url: 'https://h/m-00001-of-00002.gguf',
  label: 'm',
  parts: [
    { url: 'https://h/m-00001-of-00002.gguf', sizeBytes: 100_000, sha256: null },
    { url: 'https://h/m-00002-of-00002.gguf', sizeBytes: 50_000, sha256: null },
  ],
};

async function storePart(index: number, bytes: number, commit: boolean) {
  const part = split.parts?.[index];
  if (!part) throw new Error('no part');
  const writer = await beginFile(store, {
    url: part.url,
    label: 'm',
    modelUrl: split.url,
    partIndex: index,
    partCount: 2,
    sizeBytes: part.sizeBytes,
    sha256: null,
    validator: null,
  });
  await writer.append(new Blob([new Uint8Array(bytes)]));
  if (commit) await writer.commit('Q4_0');
}

describe('GGUF models in the library', () => {
  it('lists a split model as one partial model until every part is complete', async () => {
    await rememberGgufModel(models, split);
    await storePart(0, 100_000, true);
    const partial = await listGgufModels(store, models, () => 42);
    expect(partial).toEqual([
      {
        spec: split,
        status: 'partial',
        sizeBytes: 150_000, // from the spec: the second part has no manifest yet
        storedBytes: 100_000,
        quantization: 'Q4_0',
        storedAt: expect.any(Number) as number,
        lastUsedAt: 42,
      },
    ]);

    await storePart(1, 50_000, true);
    expect(await listGgufModels(store, models, () => null)).toMatchObject([
      { status: 'complete', sizeBytes: 150_000, storedBytes: 150_000, lastUsedAt: null },
    ]);
  });

  it('deletes every part of a model and nothing else', async () => {
    await rememberGgufModel(models, split);
    await storePart(0, 100_000, true);
    await storePart(1, 1000, false);
    const other = await beginFile(store, {
      url: 'https://h/other.gguf',
      label: 'other',
      modelUrl: 'https://h/other.gguf',
      partIndex: 0,
      partCount: 1,
      sizeBytes: 10,
      sha256: null,
      validator: null,
    });
    await other.append(new Blob([new Uint8Array(10)]));
    await other.commit(null);

    await deleteGgufModel(store, models, { engine: 'gguf', url: split.url, label: 'm' });
    expect(await getManifest(store, 'https://h/m-00002-of-00002.gguf')).toBeNull();
    expect(
      (await listGgufModels(store, models, () => null)).map((m) =>
        m.spec.engine === 'gguf' ? m.spec.url : m.spec.modelId,
      ),
    ).toEqual(['https://h/other.gguf']);
  });
});

describe('deleting a GGUF model that a tab may be downloading', () => {
  let locks: FakeLockManager;
  beforeEach(() => {
    locks = new FakeLockManager();
    vi.stubGlobal('navigator', { locks });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('refuses while a tab holds its download lock, and deletes once it is free', async () => {
    await rememberGgufModel(models, split);
    await storePart(0, 100_000, true);
    const release = locks.holdAsOtherTab(downloadLockName(split.url));
    expect(await failureOf(deleteGgufModelUnlessDownloading(store, models, split))).toEqual({
      kind: 'model-in-use',
      label: 'm',
    });
    expect(await listGgufModels(store, models, () => null)).toHaveLength(1);

    release();
    await deleteGgufModelUnlessDownloading(store, models, split);
    expect(await listGgufModels(store, models, () => null)).toEqual([]);
  });
});
