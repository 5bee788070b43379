import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { listMlcRecords, openMlcRegistry, rememberMlcModel } from '../mlc/mlc-registry.ts';
import { deleteMlcModel, listStoredMlc, type MlcCache } from './mlc-models.ts';

const QWEN = 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC';
const LLAMA = 'Llama-3.2-1B-Instruct-q4f32_1-MLC';

let registry: ReturnType<typeof openMlcRegistry>;
let n = 0;
beforeEach(() => {
  registry = openMlcRegistry(`mlc-models-${++n}`);
});

/** A web-llm cache that holds `held`, and forgets what is deleted from it. */
function fakeCache(...held: string[]) {
  const models = new Set(held);
  const cache: MlcCache = {
    has: async (modelId) => models.has(modelId),
    deleteAll: vi.fn(async (modelId: string) => {
      models.delete(modelId);
    }),
  };
  return { cache, open: vi.fn(async () => cache) };
}

describe('listStoredMlc', () => {
  it('lists the recorded models that web-llm’s cache holds, with quantization and last use', async () => {
    await rememberMlcModel(registry, QWEN, 300_000_000);
    const { open } = fakeCache(QWEN);
    expect(
      await listStoredMlc(registry, (spec) => (spec.engine === 'mlc' ? 42 : null), open),
    ).toEqual([
      {
        spec: { engine: 'mlc', modelId: QWEN },
        status: 'complete',
        sizeBytes: 300_000_000,
        storedBytes: 300_000_000,
        quantization: 'q4f16_1',
        storedAt: expect.any(Number) as number,
        lastUsedAt: 42,
      },
    ]);
  });

  it('forgets a recorded model that the cache no longer holds', async () => {
    await rememberMlcModel(registry, QWEN, null);
    await rememberMlcModel(registry, LLAMA, null);
    const { open } = fakeCache(LLAMA);
    const listed = await listStoredMlc(registry, () => null, open);
    expect(listed.map((m) => (m.spec.engine === 'mlc' ? m.spec.modelId : ''))).toEqual([LLAMA]);
    expect((await listMlcRecords(registry)).map((r) => r.modelId)).toEqual([LLAMA]);
  });

  it('counts a model as not stored when the cache cannot say', async () => {
    await rememberMlcModel(registry, QWEN, null);
    const broken: MlcCache = {
      has: () => Promise.reject(new Error('cache gone')),
      deleteAll: async () => undefined,
    };
    expect(
      await listStoredMlc(
        registry,
        () => null,
        async () => broken,
      ),
    ).toEqual([]);
  });

  it('opens web-llm’s cache only when a model was recorded', async () => {
    const { open } = fakeCache(QWEN);
    expect(await listStoredMlc(registry, () => null, open)).toEqual([]);
    expect(open).not.toHaveBeenCalled();
  });
});

describe('deleteMlcModel', () => {
  it('deletes the model from web-llm’s cache and from the record', async () => {
    await rememberMlcModel(registry, QWEN, null);
    await rememberMlcModel(registry, LLAMA, null);
    const { cache, open } = fakeCache(QWEN, LLAMA);
    await deleteMlcModel(registry, QWEN, open);
    expect(cache.deleteAll).toHaveBeenCalledWith(QWEN);
    expect((await listMlcRecords(registry)).map((r) => r.modelId)).toEqual([LLAMA]);
  });

  it('keeps the record when web-llm fails to delete, so the library still shows it', async () => {
    await rememberMlcModel(registry, QWEN, null);
    const failing: MlcCache = {
      has: async () => true,
      deleteAll: () => Promise.reject(new Error('quota')),
    };
    await expect(deleteMlcModel(registry, QWEN, async () => failing)).rejects.toThrow('quota');
    expect((await listMlcRecords(registry)).map((r) => r.modelId)).toEqual([QWEN]);
  });
});
