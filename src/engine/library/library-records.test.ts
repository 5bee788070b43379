import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { set, setMany } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { modelKey } from '../../shared/model-keys.ts';
import { openShardStore } from '../../shared/shard-store.ts';
import { listMlcRecords, openMlcRegistry } from '../mlc/mlc-registry.ts';
import { listGgufModels, openGgufModels } from './gguf-models.ts';
import { openUsageStore, readUsage } from './usage-store.ts';

/**
 * Every shape of the library's records the app ever wrote (`__fixtures__` beside each store, as
 * the commit named wrote it) opens through the library's real read path.
 */
const fixture = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../${path}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;

const Q8 = 'https://huggingface.co/fake/tiny/resolve/main/stories260K-chat-q8_0.gguf';

describe('stored library records', () => {
  it('gguf-model-v1 and usage-v1 (written by 646f065, now) open with the manifest', async () => {
    const prefix = `library-records-${crypto.randomUUID()}`;
    const store = openShardStore(prefix);
    const models = openGgufModels(prefix);
    const usageStore = openUsageStore(prefix);
    const model = fixture('engine/library/__fixtures__/gguf-model-v1');
    await set(Q8, model, models);
    await set('https://h/damaged.gguf', { version: 1, spec: { url: 7 } }, models);
    await set(Q8, fixture('shared/__fixtures__/manifest-v2'), store.manifests);
    await setMany(
      [...Object.entries(fixture('engine/library/__fixtures__/usage-v1')), ['mlc:x', 'soon']],
      usageStore,
    );

    const usage = await readUsage(usageStore);
    expect([...usage]).toEqual([
      [`gguf:${Q8}`, 1796100000000],
      ['mlc:Qwen3-0.6B-q4f16_1-MLC', 1796200000000],
    ]);
    const listed = await listGgufModels(store, models, (spec) => usage.get(modelKey(spec)) ?? null);
    expect(listed).toEqual([
      {
        spec: model.spec,
        status: 'complete',
        sizeBytes: 1185376,
        storedBytes: 1185376,
        quantization: 'Q8_0',
        storedAt: 1796000000000,
        lastUsedAt: 1796100000000,
      },
    ]);
  });

  it.each([
    ['mlc-model-v1-unsized', '12c6f22: no size', null],
    ['mlc-model-v1', '646f065 (now): + the bytes its download took', 1428000000],
  ])('%s (written by %s) opens; a damaged one is dropped', async (name, _, storedBytes) => {
    const registry = openMlcRegistry(`mlc-records-${crypto.randomUUID()}`);
    const record = fixture(`engine/mlc/__fixtures__/${name}`);
    await set(record.modelId as string, record, registry);
    await set('damaged', { ...record, storedAt: 'yesterday' }, registry);
    expect(await listMlcRecords(registry)).toEqual([
      { version: 1, modelId: record.modelId, storedAt: record.storedAt, storedBytes },
    ]);
  });
});
