import type { DeviceReport, GpuReport } from '../../shared/engine-protocol.ts';

/** Tiny wasm modules that validate only where a feature exists (from wasm-feature-detect). */
const SIMD = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15,
  253, 98, 11,
]);
const EXCEPTIONS = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 8, 1, 6, 0, 6, 64, 25, 11, 11,
]);

function supportsMemory64(): boolean {
  try {
    // `address` is not in TypeScript's lib yet.
    new WebAssembly.Memory({
      address: 'i64',
      initial: 1n,
    } as unknown as WebAssembly.MemoryDescriptor);
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits before asking again for an adapter. `requestAdapter()` can answer null for a moment while
 * the browser's GPU process restarts (after a crash or a lost device elsewhere); without the
 * retries one such moment would show "no WebGPU" for the whole session.
 */
const ADAPTER_RETRY_MS = [250, 750, 1500];

/** The first adapter the browser offers, asking again a couple of times before giving up. */
export async function requestAdapterPatiently(
  gpu: Pick<GPU, 'requestAdapter'>,
  retryMs: readonly number[] = ADAPTER_RETRY_MS,
): Promise<GPUAdapter | null> {
  for (let attempt = 0; ; attempt++) {
    const adapter = await gpu.requestAdapter().catch(() => null);
    const wait = retryMs[attempt];
    if (adapter || wait === undefined) return adapter;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

async function probeGpu(): Promise<GpuReport> {
  // Typed as always present, but absent in browsers without WebGPU.
  const gpu = (navigator as Partial<Pick<Navigator, 'gpu'>>).gpu;
  if (!gpu) return { status: 'no-api' };
  const adapter = await requestAdapterPatiently(gpu);
  if (!adapter) return { status: 'no-adapter' };
  const info = adapter.info;
  return {
    status: 'available',
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    shaderF16: adapter.features.has('shader-f16'),
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    isFallbackAdapter: info.isFallbackAdapter,
  };
}

/** A name for the adapter that a person recognises. */
export function adapterName(gpu: GpuReport): string {
  if (gpu.status !== 'available') return 'none';
  return gpu.description || [gpu.vendor, gpu.architecture].filter(Boolean).join(' ') || 'WebGPU';
}

/**
 * The test seam for memory limits: a worker started with a name that ends in
 * `device-memory-gib=<n>` reports that much device memory, as a small device would (the e2e tests
 * run where Chromium reports 8 GiB and the models are a few MB). Its name, not its URL: the
 * worker's chunks import its script by its plain URL, and another URL would run it twice. Only
 * code in the page names the worker.
 */
function deviceMemoryForTests(): number | null {
  const name = 'WorkerGlobalScope' in globalThis ? (globalThis as { name?: string }).name : '';
  const match = /device-memory-gib=(\d+(?:\.\d+)?)$/.exec(name ?? '');
  return match ? Number(match[1]) : null;
}

export async function probeDevice(): Promise<DeviceReport> {
  const nav = navigator as Navigator & { deviceMemory?: number };
  return {
    gpu: await probeGpu(),
    wasm: {
      simd: WebAssembly.validate(SIMD),
      exceptions: WebAssembly.validate(EXCEPTIONS),
      jspi: 'Suspending' in WebAssembly,
      memory64: supportsMemory64(),
    },
    logicalCores: navigator.hardwareConcurrency || 1,
    deviceMemoryGiB: deviceMemoryForTests() ?? nav.deviceMemory ?? null,
  };
}
