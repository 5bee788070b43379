import type { ModelRecord } from '@mlc-ai/web-llm';
import type { EngineError, GpuReport } from './engine-protocol.ts';

/** Why this GPU cannot run an MLC model. One rule, shared by the catalog and the worker. */
export type MlcBlocker =
  | { kind: 'no-webgpu' }
  | { kind: 'needs-shader-f16' }
  | { kind: 'buffer-too-small'; requiredBytes: number; availableBytes: number };

export interface MlcModelName {
  family: string;
  /** e.g. `q4f16_1`: 4-bit weights, f16 activations. */
  quantization: string;
  /** e.g. `1k` for a variant with a 1k-token context window. */
  variant: string | null;
}

const MLC_ID = /^(.+?)-(q\d+f(?:16|32)(?:_\d+)?)-MLC(?:-(.+))?$/;

export function parseMlcModelId(modelId: string): MlcModelName {
  const match = MLC_ID.exec(modelId);
  if (!match?.[1] || !match[2]) return { family: modelId, quantization: 'unknown', variant: null };
  return { family: match[1], quantization: match[2], variant: match[3] ?? null };
}

/**
 * f16 activations need `shader-f16`. Many prebuilt records omit `required_features` although
 * their quantization (`q4f16_1`, `q0f16`…) needs it, so the name counts too.
 */
export function needsShaderF16(record: Pick<ModelRecord, 'model_id' | 'required_features'>) {
  return (
    (record.required_features ?? []).includes('shader-f16') ||
    /f16/.test(parseMlcModelId(record.model_id).quantization)
  );
}

export function mlcBlocker(
  record: Pick<ModelRecord, 'model_id' | 'required_features' | 'buffer_size_required_bytes'>,
  gpu: GpuReport,
): MlcBlocker | null {
  if (gpu.status !== 'available') return { kind: 'no-webgpu' };
  if (needsShaderF16(record) && !gpu.shaderF16) return { kind: 'needs-shader-f16' };
  const required = record.buffer_size_required_bytes;
  if (required !== undefined && required > gpu.maxStorageBufferBindingSize) {
    return {
      kind: 'buffer-too-small',
      requiredBytes: required,
      availableBytes: gpu.maxStorageBufferBindingSize,
    };
  }
  return null;
}

/** The engine error that says why `modelId` cannot run here. */
export function blockerError(blocker: MlcBlocker, modelId: string): EngineError {
  switch (blocker.kind) {
    case 'no-webgpu':
      return { kind: 'no-webgpu', modelId };
    case 'needs-shader-f16':
      return { kind: 'needs-shader-f16', modelId };
    case 'buffer-too-small':
      return { ...blocker, modelId };
  }
}
