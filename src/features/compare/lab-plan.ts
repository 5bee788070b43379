import type { DeviceReport, StoredModel } from '../../shared/engine-protocol.ts';
import {
  estimateMemory,
  memoryVerdict,
  type MemoryEstimate,
  type MemoryVerdict,
} from '../../shared/memory-estimate.ts';
import { modelKey } from '../../shared/model-keys.ts';
import type { LabVariant } from './lab-types.ts';

/** A comparison takes 2 to 6 variants: fewer compares nothing, more is hard to read. */
export const MIN_VARIANTS = 2;
export const MAX_VARIANTS = 6;

/**
 * Bits per weight a quantization name stands for, roughly (llama.cpp's and MLC's names): enough
 * to order variants by precision before their headers are read. Null when the name is unknown.
 */
export function nominalBits(quantization: string | null): number | null {
  if (!quantization) return null;
  const name = quantization.toUpperCase();
  const mlc = /^Q(\d)F(16|32)/.exec(name);
  if (mlc) return Number(mlc[1]) === 0 ? Number(mlc[2]) : Number(mlc[1]) + 0.5;
  if (name.startsWith('F32')) return 32;
  if (name.startsWith('F16') || name.startsWith('BF16') || name.startsWith('FP16')) return 16;
  const quant = /^I?Q(\d)/.exec(name);
  return quant ? Number(quant[1]) + (name.includes('_K') ? 0.5 : 0.25) : null;
}

/**
 * The run's order: the most precise variant first, because it is the reference every other one
 * is compared with. Precision comes from the quantization's name, else from the size (a larger
 * file of one model holds more bits); ties keep the picked order.
 */
export function runOrder(variants: readonly LabVariant[]): LabVariant[] {
  const precision = (variant: LabVariant) =>
    nominalBits(variant.quantization) ?? (variant.sizeBytes ?? 0) / 1e12;
  return [...variants].sort((a, b) => precision(b) - precision(a));
}

export interface PlanRow {
  variant: LabVariant;
  /** Whether its bytes are already stored on this device. */
  stored: 'complete' | 'partial' | 'no';
  /** Bytes still to download: 0 when stored, null when the size is not known before. */
  downloadBytes: number | null;
  memory: MemoryEstimate | null;
  verdict: MemoryVerdict | null;
}

export interface LabPlan {
  rows: PlanRow[];
  totalDownloadBytes: number;
  /** Variants whose download size is not known before they start (a plain URL). */
  unknownSizes: number;
  /** Why the run cannot start, or null when it can. */
  refusal: string | null;
}

export interface StorageRoom {
  usageBytes: number | null;
  quotaBytes: number | null;
}

/**
 * What a run will take before it starts: each variant's download (what is stored already is
 * read from storage), its memory, and the total against the browser's quota. A run that cannot
 * fit is refused up front, with the numbers.
 */
export function planLab(
  variants: readonly LabVariant[],
  stored: readonly StoredModel[],
  room: StorageRoom,
  device: DeviceReport | null,
  format: (bytes: number) => string,
  text: { prompt: string; target: string } = { prompt: '.', target: '.' },
): LabPlan {
  const storedByKey = new Map(stored.map((model) => [modelKey(model.spec), model]));
  const rows = variants.map((variant): PlanRow => {
    const copy = storedByKey.get(modelKey(variant.spec));
    const status = copy ? copy.status : 'no';
    const size = copy?.sizeBytes ?? variant.sizeBytes;
    const downloadBytes =
      status === 'complete' ? 0 : size === null ? null : size - (copy?.storedBytes ?? 0);
    const memory = variant.memoryBytes
      ? estimateMemory(variant.memoryBytes, null)
      : size === null
        ? null
        : estimateMemory(size, variant.attention);
    return {
      variant,
      stored: status,
      downloadBytes,
      memory,
      verdict: memory ? memoryVerdict(memory, device) : null,
    };
  });
  const totalDownloadBytes = rows.reduce((sum, row) => sum + (row.downloadBytes ?? 0), 0);
  const unknownSizes = rows.filter((row) => row.downloadBytes === null).length;
  const available =
    room.quotaBytes !== null && room.usageBytes !== null ? room.quotaBytes - room.usageBytes : null;

  let refusal: string | null = null;
  if (variants.length < MIN_VARIANTS) refusal = `Pick at least ${MIN_VARIANTS} variants.`;
  else if (!text.target.trim())
    refusal = 'The text to score is empty: paste one, or use the built-in text.';
  else if (!text.prompt)
    refusal = 'The context before the text is empty: the engine needs one (a title will do).';
  else if (variants.length > MAX_VARIANTS) refusal = `Pick at most ${MAX_VARIANTS} variants.`;
  else if (available !== null && totalDownloadBytes > available) {
    refusal = `These variants need ${format(totalDownloadBytes)} more storage, and the browser allows ${format(
      Math.max(0, available),
    )} more. Delete models you no longer use, or pick fewer or smaller variants.`;
  }
  return { rows, totalDownloadBytes, unknownSizes, refusal };
}
