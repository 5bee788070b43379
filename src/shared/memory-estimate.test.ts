import { describe, expect, it } from 'vitest';
import type { DeviceReport } from './engine-protocol.ts';
import { estimateMemory, kvCacheBytes, memoryVerdict } from './memory-estimate.ts';

const device = (deviceMemoryGiB: number | null, memory64: boolean): DeviceReport => ({
  gpu: { status: 'no-api' },
  wasm: { simd: true, exceptions: true, jspi: false, memory64 },
  logicalCores: 2,
  deviceMemoryGiB,
});

describe('memory estimate', () => {
  it('sizes the KV cache from the attention shape and the context', () => {
    // Llama-3.2-1B: 16 layers, 8 KV heads of 64: 2 × 16 × 8 × 64 × 4096 × 2 bytes = 128 MiB.
    expect(kvCacheBytes({ layers: 16, kvHeads: 8, headDim: 64 }, 4096)).toBe(128 * 1024 ** 2);
    expect(kvCacheBytes({ layers: 16, kvHeads: 8, headDim: 64 }, 2048)).toBe(64 * 1024 ** 2);
  });

  it('adds weights and KV cache, and says when the KV cache is unknown', () => {
    expect(estimateMemory(800e6, { layers: 16, kvHeads: 8, headDim: 64 }, 4096)).toEqual({
      weightsBytes: 800e6,
      kvCacheBytes: 128 * 1024 ** 2,
      contextSize: 4096,
      totalBytes: 800e6 + 128 * 1024 ** 2,
    });
    expect(estimateMemory(800e6, null).kvCacheBytes).toBeNull();
    expect(estimateMemory(800e6, null).totalBytes).toBe(800e6);
  });

  it('warns against the tightest limit the device reports', () => {
    const big = estimateMemory(6e9, null);
    expect(memoryVerdict(big, device(8, true))).toEqual({
      likelyFits: true,
      limitBytes: 8 * 1024 ** 3,
      limit: 'device memory',
    });
    expect(memoryVerdict(big, device(4, true))).toMatchObject({
      likelyFits: false,
      limit: 'device memory',
    });
    expect(memoryVerdict(big, device(8, false))).toMatchObject({
      likelyFits: false,
      limit: 'WebAssembly memory (no memory64)',
    });
    expect(memoryVerdict(big, device(null, true))).toEqual({
      likelyFits: true,
      limitBytes: null,
      limit: null,
    });
  });
});
