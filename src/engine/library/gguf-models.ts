import { createStore, del, entries, set, type UseStore } from 'idb-keyval';
import type { GgufPart, StoredModel } from '../../shared/engine-protocol.ts';
import { EngineFailure } from '../../shared/engine-failure.ts';
import { ifNotDownloading } from '../gguf/download-lock.ts';
import type { GgufSpec } from '../gguf/gguf-spec.ts';
import {
  deleteFile,
  listManifests,
  type FileManifest,
  type ShardStore,
} from '../../shared/shard-store.ts';

/**
 * The spec of every GGUF model whose download has begun, keyed by its URL: a split model's
 * later parts have no manifest until their turn comes, and a resume must still know them.
 */
export function openGgufModels(prefix = 'tab-llm'): UseStore {
  return createStore(`${prefix}-gguf-models`, 'models');
}

export const rememberGgufModel = (models: UseStore, spec: GgufSpec) =>
  set(spec.url, { version: 1, spec }, models);

function restorePart(raw: unknown): GgufPart | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.url !== 'string') return null;
  return {
    url: r.url,
    sizeBytes: typeof r.sizeBytes === 'number' ? r.sizeBytes : null,
    sha256: typeof r.sha256 === 'string' ? r.sha256 : null,
  };
}

function restoreGgufModel(raw: unknown): GgufSpec | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { version, spec } = raw as { version?: unknown; spec?: unknown };
  if (version !== 1 || typeof spec !== 'object' || spec === null) return null;
  const s = spec as Record<string, unknown>;
  if (typeof s.url !== 'string' || typeof s.label !== 'string') return null;
  const parts = Array.isArray(s.parts) ? s.parts.map(restorePart) : [];
  return {
    engine: 'gguf',
    url: s.url,
    label: s.label,
    ...(parts.length > 0 && parts.every((p) => p !== null) ? { parts } : {}),
  };
}

/**
 * Every GGUF model with stored bytes, complete or partial, with its size and quantization.
 * `lastUsed` says when a model was last loaded.
 */
export async function listGgufModels(
  store: ShardStore,
  models: UseStore,
  lastUsed: (spec: GgufSpec) => number | null,
): Promise<StoredModel[]> {
  const specs = new Map(
    (await entries(models)).flatMap(([, raw]) => {
      const spec = restoreGgufModel(raw);
      return spec ? [[spec.url, spec] as const] : [];
    }),
  );
  const byModel = new Map<string, FileManifest[]>();
  for (const manifest of await listManifests(store)) {
    byModel.set(manifest.modelUrl, [...(byModel.get(manifest.modelUrl) ?? []), manifest]);
  }
  return [...byModel].map(([modelUrl, files]): StoredModel => {
    files.sort((a, b) => a.partIndex - b.partIndex);
    const first = files[0] as FileManifest;
    const spec: GgufSpec = specs.get(modelUrl) ?? {
      engine: 'gguf',
      url: modelUrl,
      label: first.label,
    };
    const complete = files.length === first.partCount && files.every((f) => f.complete);
    const fileSizes = files.map((f) => f.sizeBytes);
    const partSizes = (spec.parts ?? []).map((p) => p.sizeBytes);
    const sizeBytes =
      sumIfKnown(fileSizes, first.partCount) ?? sumIfKnown(partSizes, first.partCount);
    return {
      spec,
      status: complete ? 'complete' : 'partial',
      sizeBytes,
      storedBytes: files.reduce((sum, f) => sum + f.storedBytes, 0),
      quantization: first.quantization,
      storedAt: Math.max(...files.map((f) => f.storedAt)),
      lastUsedAt: lastUsed(spec),
    };
  });
}

function sumIfKnown(sizes: (number | null)[], count: number): number | null {
  if (sizes.length !== count || !sizes.every((s) => s !== null)) return null;
  return sizes.reduce((a, b) => a + b, 0);
}

/** Deletes every stored byte of a GGUF model, its parts found by spec and by manifest. */
export async function deleteGgufModel(
  store: ShardStore,
  models: UseStore,
  spec: GgufSpec,
): Promise<void> {
  const urls = new Set((spec.parts ?? []).map((p) => p.url));
  urls.add(spec.url);
  for (const manifest of await listManifests(store)) {
    if (manifest.modelUrl === spec.url) urls.add(manifest.url);
  }
  for (const url of urls) await deleteFile(store, url);
  await del(spec.url, models);
}

/**
 * Deletes a GGUF model as `deleteGgufModel` does, holding its download lock, so that no tab is
 * downloading it meanwhile.
 *
 * @throws EngineFailure `model-in-use` when a tab is downloading it now.
 */
export async function deleteGgufModelUnlessDownloading(
  store: ShardStore,
  models: UseStore,
  spec: GgufSpec,
): Promise<void> {
  const deleted = await ifNotDownloading(spec.url, () => deleteGgufModel(store, models, spec));
  if (!deleted) throw new EngineFailure({ kind: 'model-in-use', label: spec.label });
}
