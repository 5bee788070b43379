import type { DeviceReport } from '../../shared/engine-protocol.ts';
import { estimateMemory, memoryVerdict } from '../../shared/memory-estimate.ts';
import { formatBytes } from '../../lib/format.ts';
import type { GgufCatalogEntry } from './gguf-catalog.ts';

/**
 * The first model offered to someone who has none: a GGUF model of the curated catalog that suits
 * this device. A pure function of the device report, the free storage and the catalog, so that
 * every rule below has a test.
 */

/** The ladder, smallest first: each rung is a catalog entry, found by family and quantization. */
const LADDER = [
  { family: 'SmolLM2-360M-Instruct', quantization: 'Q4_K_M', size: 'small' },
  { family: 'Qwen2.5-0.5B-Instruct', quantization: 'Q4_K_M', size: 'medium' },
  { family: 'Llama-3.2-1B-Instruct', quantization: 'Q4_K_M', size: 'large' },
] as const;

export type DefaultSize = (typeof LADDER)[number]['size'];

export type DefaultChoice =
  | { entry: GgufCatalogEntry; size: DefaultSize; reason: string }
  /** Nothing fits: `reason` says why (free storage, which the user can change). */
  | { entry: null; reason: string };

/** A download needs its size plus this share free: the browser's estimate is coarse. */
const STORAGE_HEADROOM = 1.1;
/** The large rung wants a GPU buffer this big (llama.cpp puts a whole tensor in one). */
const LARGE_MIN_BUFFER = 1024 ** 3;

/** What the device offers, in the words the reason uses. */
function deviceClass(device: DeviceReport | null): {
  size: DefaultSize;
  because: string;
} {
  if (!device) return { size: 'small', because: 'What this device can do is not known yet' };
  const { gpu } = device;
  const memory = device.deviceMemoryGiB;
  if (gpu.status !== 'available') {
    return {
      size: 'small',
      because: 'Without WebGPU, models run on the CPU, where the smallest model answers fastest',
    };
  }
  if (!gpu.shaderF16) {
    return {
      size: 'small',
      because:
        'This GPU lacks 16-bit shaders (shader-f16), so GGUF models run on the CPU, where the smallest model answers fastest',
    };
  }
  if (gpu.isFallbackAdapter) {
    return {
      size: 'small',
      because: 'WebGPU runs in software here (a fallback adapter), so a small model is quickest',
    };
  }
  if (memory !== null && memory < 4) {
    return { size: 'small', because: `This device reports ${memory} GiB of memory` };
  }
  if (memory !== null && memory >= 8 && gpu.maxBufferSize >= LARGE_MIN_BUFFER) {
    return {
      size: 'large',
      because: `WebGPU with 16-bit shaders, ${formatBytes(gpu.maxBufferSize)} GPU buffers and 8 GiB of memory or more run a 1B model well`,
    };
  }
  return {
    size: 'medium',
    because:
      memory === null
        ? 'WebGPU with 16-bit shaders runs a 0.5B model well (the browser does not say how much memory there is)'
        : `WebGPU with 16-bit shaders and ${memory} GiB of memory run a 0.5B model well`,
  };
}

/**
 * The model to offer on first run, and why. It starts from the rung the device class suggests
 * and steps down while the model would not fit in memory (weights plus the KV cache, against what
 * the device reports) or in the free storage; `freeBytes` null means the browser did not say.
 */
export function chooseDefaultModel(
  device: DeviceReport | null,
  freeBytes: number | null,
  catalog: readonly GgufCatalogEntry[],
): DefaultChoice {
  const rungs = LADDER.flatMap((rung) => {
    const entry = catalog.find(
      (e) => e.family === rung.family && e.quantization === rung.quantization,
    );
    return entry ? [{ size: rung.size, entry }] : [];
  });
  const wanted = deviceClass(device);
  let index = rungs.findLastIndex((rung) => rung.size === wanted.size);
  if (index === -1) index = rungs.length - 1;

  const notes: string[] = [];
  for (; index >= 0; index--) {
    const rung = rungs[index];
    if (!rung) break;
    const { entry } = rung;
    const estimate = estimateMemory(entry.approxBytes, entry.attention);
    const verdict = memoryVerdict(estimate, device);
    const storageOk = freeBytes === null || entry.approxBytes * STORAGE_HEADROOM <= freeBytes;
    if (verdict.likelyFits && storageOk) {
      const free = freeBytes !== null ? `; ${formatBytes(freeBytes)} of storage is free` : '';
      const reason = [
        `${wanted.because}.`,
        ...notes,
        `${entry.family} at ${entry.quantization} (4-bit) is a download of ${formatBytes(entry.approxBytes)}${free}.`,
      ];
      return { entry, size: rung.size, reason: reason.join(' ') };
    }
    notes.push(
      storageOk
        ? `${entry.family} would need about ${formatBytes(estimate.totalBytes)} of memory, more than the ${verdict.limit ?? 'memory'} here allows.`
        : `${entry.family} (${formatBytes(entry.approxBytes)}) would not fit in the free storage.`,
    );
  }
  const smallest = rungs[0]?.entry;
  const storageShort =
    smallest && freeBytes !== null && smallest.approxBytes * STORAGE_HEADROOM > freeBytes;
  return {
    entry: null,
    reason:
      smallest && storageShort
        ? `Not enough free storage: ${formatBytes(freeBytes)} is free and the smallest model needs ${formatBytes(smallest.approxBytes)}. Delete models or other site data, or add a smaller model by URL.`
        : 'No model of the catalog fits this device. Add a smaller GGUF model by URL or from a file.',
  };
}
