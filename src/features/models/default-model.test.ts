import { describe, expect, it } from 'vitest';
import type { DeviceReport, GpuReport } from '../../shared/engine-protocol.ts';
import { chooseDefaultModel } from './default-model.ts';
import { ggufCatalog } from './gguf-catalog.ts';

const GB = 1e9;
const gpu = (overrides: Partial<Extract<GpuReport, { status: 'available' }>> = {}): GpuReport => ({
  status: 'available',
  vendor: 'v',
  architecture: 'a',
  device: '',
  description: 'GPU',
  shaderF16: true,
  maxBufferSize: 4 * 1024 ** 3,
  maxStorageBufferBindingSize: 2 * 1024 ** 3,
  isFallbackAdapter: false,
  ...overrides,
});
const device = (overrides: Partial<DeviceReport> = {}): DeviceReport => ({
  gpu: gpu(),
  wasm: { simd: true, exceptions: true, jspi: true, memory64: true },
  logicalCores: 8,
  deviceMemoryGiB: 8,
  ...overrides,
});

const choose = (report: DeviceReport | null, free: number | null = 50 * GB) =>
  chooseDefaultModel(report, free, ggufCatalog);
const family = (report: DeviceReport | null, free: number | null = 50 * GB) =>
  choose(report, free).entry?.family ?? null;

describe('the model offered on first run', () => {
  it('is a 1B model at Q4 on a strong GPU with plenty of memory', () => {
    const choice = choose(device());
    expect(choice.entry).toMatchObject({ family: 'Llama-3.2-1B-Instruct', quantization: 'Q4_K_M' });
    expect(choice.reason).toMatch(/16-bit shaders.*8 GiB of memory or more/);
    expect(choice.reason).toContain('download of 808 MB; 50.0 GB of storage is free.');
  });

  it('is a 0.5B model with less memory, small GPU buffers or memory not reported', () => {
    expect(family(device({ deviceMemoryGiB: 4 }))).toBe('Qwen2.5-0.5B-Instruct');
    expect(family(device({ gpu: gpu({ maxBufferSize: 256 * 1024 ** 2 }) }))).toBe(
      'Qwen2.5-0.5B-Instruct',
    );
    const unknown = choose(device({ deviceMemoryGiB: null }));
    expect(unknown.entry?.family).toBe('Qwen2.5-0.5B-Instruct');
    expect(unknown.reason).toContain('does not say how much memory');
  });

  it('is the smallest Q4 model where models run on the CPU or the device is weak', () => {
    const cases: [DeviceReport, RegExp][] = [
      [device({ gpu: { status: 'no-api' } }), /Without WebGPU/],
      [device({ gpu: { status: 'no-adapter' } }), /Without WebGPU/],
      [device({ gpu: gpu({ shaderF16: false }) }), /shader-f16/],
      [device({ gpu: gpu({ isFallbackAdapter: true }) }), /fallback adapter/],
      [device({ deviceMemoryGiB: 2 }), /2 GiB of memory/],
    ];
    for (const [report, reason] of cases) {
      const choice = choose(report);
      expect(choice.entry).toMatchObject({
        family: 'SmolLM2-360M-Instruct',
        quantization: 'Q4_K_M',
      });
      expect(choice.reason).toMatch(reason);
    }
    expect(family(null)).toBe('SmolLM2-360M-Instruct');
  });

  it('steps down when the free storage would not hold the model, and says so', () => {
    const choice = choose(device(), 0.6 * GB);
    expect(choice.entry?.family).toBe('Qwen2.5-0.5B-Instruct');
    expect(choice.reason).toContain(
      'Llama-3.2-1B-Instruct (808 MB) would not fit in the free storage',
    );
    expect(family(device(), 0.35 * GB)).toBe('SmolLM2-360M-Instruct');
  });

  it('offers nothing when even the smallest model would not fit in memory', () => {
    // 360M at Q4_K_M is 271 MB of weights plus 168 MB of KV cache for 4096 tokens.
    expect(family(device({ deviceMemoryGiB: 0.5 }))).toBe('SmolLM2-360M-Instruct');
    const choice = choose(device({ deviceMemoryGiB: 0.25 }));
    expect(choice.entry).toBeNull();
    expect(choice.reason).toMatch(/No model of the catalog fits this device/);
  });

  it('offers nothing when even the smallest model does not fit the free storage', () => {
    const choice = choose(device(), 100e6);
    expect(choice.entry).toBeNull();
    expect(choice.reason).toMatch(/Not enough free storage: 100 MB is free.*needs 271 MB/);
  });

  it('does not hold back for storage the browser does not report', () => {
    expect(family(device(), null)).toBe('Llama-3.2-1B-Instruct');
  });
});
