import { DEFAULT_CONTEXT_SIZE } from './context-size.ts';
import type { BackendPreference, DeviceReport, MemoryLimit } from './engine-protocol.ts';

const GiB = 1024 ** 3;
/**
 * wllama caps its WebAssembly memory at 4 GiB in every build, memory64 included (its
 * `MAXIMUM_MEMORY`); on the CPU the weights, the KV cache and llama.cpp's buffers all live there.
 */
export const WLLAMA_HEAP_BYTES = 4 * GiB;

/** What the KV cache's size depends on (GGUF `<arch>.block_count`, `head_count_kv`, head size). */
export interface AttentionShape {
  layers: number;
  kvHeads: number;
  headDim: number;
}

export interface MemoryEstimate {
  weightsBytes: number;
  /** Null when the model's attention shape is not known before its header is read. */
  kvCacheBytes: number | null;
  contextSize: number;
  totalBytes: number;
}

/** The KV cache llama.cpp allocates: a K and a V vector per layer, KV head and token, in F16. */
export function kvCacheBytes(shape: AttentionShape, contextSize: number, bytesPerValue = 2) {
  return 2 * shape.layers * shape.kvHeads * shape.headDim * contextSize * bytesPerValue;
}

/** Memory a model needs: its weights (about its file size) plus the KV cache for the context. */
export function estimateMemory(
  weightsBytes: number,
  attention: AttentionShape | null,
  contextSize = DEFAULT_CONTEXT_SIZE,
): MemoryEstimate {
  const kv = attention ? kvCacheBytes(attention, contextSize) : null;
  return { weightsBytes, kvCacheBytes: kv, contextSize, totalBytes: weightsBytes + (kv ?? 0) };
}

export interface MemoryVerdict {
  likelyFits: boolean;
  /** The tightest limit the device reports, and what it is. */
  limitBytes: number | null;
  limit: MemoryLimit | null;
}

/** The memory the browser says the device has (`navigator.deviceMemory`), or null. */
export const deviceMemoryBytes = (device: DeviceReport | null): number | null =>
  device?.deviceMemoryGiB ? device.deviceMemoryGiB * GiB : null;

/**
 * Compares an estimate with what the device reports: `navigator.deviceMemory` (Chromium rounds
 * it and caps it at 8 GiB, so it is a floor) and, where llama.cpp will run on the CPU (chosen, or
 * no GPU with `shader-f16`), the 4 GiB WebAssembly heap it lives in.
 */
export function memoryVerdict(
  estimate: MemoryEstimate,
  device: DeviceReport | null,
  backend: BackendPreference = 'auto',
): MemoryVerdict {
  const limits: { bytes: number; limit: MemoryLimit }[] = [];
  const deviceBytes = deviceMemoryBytes(device);
  if (deviceBytes !== null) limits.push({ bytes: deviceBytes, limit: 'device memory' });
  const gpuRuns = device?.gpu.status === 'available' && device.gpu.shaderF16;
  if (device && (backend === 'cpu' || !gpuRuns)) {
    limits.push({ bytes: WLLAMA_HEAP_BYTES, limit: 'WebAssembly memory (CPU backend)' });
  }
  const tightest = limits.sort((a, b) => a.bytes - b.bytes)[0];
  if (!tightest) return { likelyFits: true, limitBytes: null, limit: null };
  return {
    likelyFits: estimate.totalBytes <= tightest.bytes,
    limitBytes: tightest.bytes,
    limit: tightest.limit,
  };
}
