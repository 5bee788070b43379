import { DEFAULT_CONTEXT_SIZE } from './context-size.ts';
import type { DeviceReport, MemoryLimit } from './engine-protocol.ts';

const GiB = 1024 ** 3;
/** A wasm32 heap cannot grow past 4 GiB; the CPU path needs memory64 for more. */
const WASM32_LIMIT = 4 * GiB;

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

/**
 * Compares an estimate with what the device reports: `navigator.deviceMemory` (Chromium rounds
 * it and caps it at 8 GiB, so it is a floor) and, without wasm memory64, the 4 GiB wasm heap
 * that llama.cpp's CPU path lives in.
 */
export function memoryVerdict(
  estimate: MemoryEstimate,
  device: DeviceReport | null,
): MemoryVerdict {
  const limits: { bytes: number; limit: MemoryLimit }[] = [];
  if (device?.deviceMemoryGiB) {
    limits.push({ bytes: device.deviceMemoryGiB * GiB, limit: 'device memory' });
  }
  if (device && !device.wasm.memory64) {
    limits.push({ bytes: WASM32_LIMIT, limit: 'WebAssembly memory (no memory64)' });
  }
  const tightest = limits.sort((a, b) => a.bytes - b.bytes)[0];
  if (!tightest) return { likelyFits: true, limitBytes: null, limit: null };
  return {
    likelyFits: estimate.totalBytes <= tightest.bytes,
    limitBytes: tightest.bytes,
    limit: tightest.limit,
  };
}
