import type { ModelRecord } from '@mlc-ai/web-llm';
import { mlcModelRecords } from 'virtual:mlc-catalog';
import type { GpuReport } from '../../shared/engine-protocol.ts';
import { mlcBlocker, parseMlcModelId, type MlcBlocker } from '../../shared/mlc-requirements.ts';

export interface MlcVariant {
  modelId: string;
  quantization: string;
  /** e.g. `1k`: a variant with a smaller context window. */
  variant: string | null;
  vramMB: number | null;
  /** Why this GPU cannot run it; null when it can. */
  blocker: MlcBlocker | null;
}

export interface MlcFamily {
  family: string;
  variants: MlcVariant[];
}

/** web-llm's prebuilt models grouped by family, each variant marked runnable or not here. */
export function groupMlcModels(records: readonly ModelRecord[], gpu: GpuReport): MlcFamily[] {
  const families = new Map<string, MlcVariant[]>();
  for (const record of records) {
    const name = parseMlcModelId(record.model_id);
    const variants = families.get(name.family) ?? [];
    variants.push({
      modelId: record.model_id,
      quantization: name.quantization,
      variant: name.variant,
      vramMB: record.vram_required_MB ?? null,
      blocker: mlcBlocker(record, gpu),
    });
    families.set(name.family, variants);
  }
  return [...families].map(([family, variants]) => ({ family, variants }));
}

export const mlcRecords: readonly ModelRecord[] = mlcModelRecords;
