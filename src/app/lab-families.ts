import type { LabFamily } from '../features/compare/lab-types.ts';
import { ggufCatalog } from '../features/models/gguf-catalog.ts';
import { groupMlcModels, mlcRecords } from '../features/models/mlc-catalog.ts';
import { errorMessage } from '../lib/error-messages.ts';
import type { GpuReport } from '../shared/engine-protocol.ts';
import { blockerError } from '../shared/mlc-requirements.ts';

const MB = 1_000_000;

/**
 * The catalogs (the models feature's) as families the lab can compare: every GGUF family with its
 * quantizations, and every MLC family with the ones this GPU can run marked.
 */
export function labFamilies(gpu: GpuReport): LabFamily[] {
  const gguf = new Map<string, LabFamily>();
  for (const entry of ggufCatalog) {
    const family = gguf.get(entry.family) ?? { family: entry.family, engine: 'gguf', variants: [] };
    family.variants.push({
      variant: {
        spec: { engine: 'gguf', url: entry.url, label: `${entry.family} ${entry.quantization}` },
        label: entry.quantization,
        quantization: entry.quantization,
        source: 'catalog',
        sizeBytes: entry.approxBytes,
        attention: entry.attention,
      },
      blocker: null,
    });
    gguf.set(entry.family, family);
  }
  const mlc = groupMlcModels(mlcRecords, gpu).map((group): LabFamily => ({
    family: group.family,
    engine: 'mlc',
    variants: group.variants.map((variant) => ({
      variant: {
        spec: { engine: 'mlc', modelId: variant.modelId },
        label: variant.variant
          ? `${variant.quantization} (${variant.variant})`
          : variant.quantization,
        quantization: variant.quantization,
        source: 'mlc',
        // web-llm lists the memory a model needs, not its download size.
        sizeBytes: null,
        attention: null,
        memoryBytes: variant.vramMB === null ? null : variant.vramMB * MB,
      },
      blocker: variant.blocker
        ? errorMessage(blockerError(variant.blocker, variant.modelId)).title
        : null,
    })),
  }));
  return [...gguf.values(), ...mlc];
}
