import { describe, expect, it } from 'vitest';
import type { DeviceReport } from './engine-protocol.ts';
import { estimateMemory, kvCacheBytes, memoryVerdict } from './memory-estimate.ts';

const GPU = {
  status: 'available',
  vendor: 'v',
  architecture: 'a',
  device: 'd',
  description: '',
  shaderF16: true,
  maxBufferSize: 2 ** 30,
  maxStorageBufferBindingSize: 2 ** 30,
  isFallbackAdapter: false,
} as const;

const device = (deviceMemoryGiB: number | null, gpu: DeviceReport['gpu'] = GPU): DeviceReport => ({
  gpu,
  wasm: { simd: true, exceptions: true, jspi: true, memory64: true },
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
    expect(memoryVerdict(big, device(8))).toEqual({
      likelyFits: true,
      limitBytes: 8 * 1024 ** 3,
      limit: 'device memory',
    });
    expect(memoryVerdict(big, device(4))).toMatchObject({
      likelyFits: false,
      limit: 'device memory',
    });
    expect(memoryVerdict(big, device(null))).toEqual({
      likelyFits: true,
      limitBytes: null,
      limit: null,
    });
  });

  it("holds a model on the CPU to llama.cpp's 4 GiB WebAssembly heap, memory64 or not", () => {
    const big = estimateMemory(6e9, null);
    const cpu = {
      likelyFits: false,
      limitBytes: 4 * 1024 ** 3,
      limit: 'WebAssembly memory (CPU backend)',
    };
    expect(memoryVerdict(big, device(8), 'cpu')).toEqual(cpu);
    expect(memoryVerdict(big, device(8, { status: 'no-adapter' }))).toEqual(cpu);
    expect(memoryVerdict(big, device(null, { ...GPU, shaderF16: false }))).toEqual(cpu);
    expect(memoryVerdict(estimateMemory(3e9, null), device(8), 'cpu').likelyFits).toBe(true);
  });
});
