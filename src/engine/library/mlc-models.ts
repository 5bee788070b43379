import type { UseStore } from 'idb-keyval';
import type { ModelSpec, StoredModel } from '../../shared/engine-protocol.ts';
import { forgetMlcModel, listMlcRecords } from '../mlc/mlc-registry.ts';

/** What the library needs of web-llm's model cache. Tests pass a fake. */
export interface MlcCache {
  has: (modelId: string) => Promise<boolean>;
  deleteAll: (modelId: string) => Promise<void>;
}

/** web-llm's own cache, imported only when asked for: a GGUF user never parses web-llm. */
async function webLlmCache(): Promise<MlcCache> {
  const { hasModelInCache, deleteModelAllInfoInCache } = await import('@mlc-ai/web-llm');
  const { mlcAppConfig } = await import('../mlc/mlc-engine.ts');
  return {
    has: (modelId) => hasModelInCache(modelId, mlcAppConfig),
    deleteAll: (modelId) => deleteModelAllInfoInCache(modelId, mlcAppConfig),
  };
}

/**
 * Every MLC model this app stored that web-llm's cache still holds; a recorded model the cache
 * no longer has (evicted, or deleted in another tab) is forgotten. `lastUsed` says when a model
 * was last loaded.
 */
export async function listStoredMlc(
  registry: UseStore,
  lastUsed: (spec: ModelSpec) => number | null,
  openCache: () => Promise<MlcCache> = webLlmCache,
): Promise<StoredModel[]> {
  const records = await listMlcRecords(registry);
  if (records.length === 0) return [];
  const cache = await openCache();
  const stored: StoredModel[] = [];
  for (const record of records) {
    if (await cache.has(record.modelId).catch(() => false)) {
      const spec: ModelSpec = { engine: 'mlc', modelId: record.modelId };
      stored.push({
        spec,
        status: 'complete',
        sizeBytes: record.storedBytes,
        storedBytes: record.storedBytes,
        quantization: /-(q\d+f\d+(?:_\d+)?)(?:-|$)/.exec(record.modelId)?.[1] ?? null,
        storedAt: record.storedAt,
        lastUsedAt: lastUsed(spec),
      });
    } else {
      await forgetMlcModel(registry, record.modelId);
    }
  }
  return stored;
}

/** Deletes an MLC model from web-llm's cache (weights, config, tokenizer) and from our record. */
export async function deleteMlcModel(
  registry: UseStore,
  modelId: string,
  openCache: () => Promise<MlcCache> = webLlmCache,
): Promise<void> {
  const cache = await openCache();
  await cache.deleteAll(modelId);
  await forgetMlcModel(registry, modelId);
}
