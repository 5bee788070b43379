import { describe, expect, it } from 'vitest';
import type { StoredModel } from '../../shared/engine-protocol.ts';
import { formatBytes } from '../../lib/format.ts';
import { fakeDevice } from '../../lib/testing/fake-engine-api.ts';
import { nominalBits, planLab, runOrder } from './lab-plan.ts';
import type { LabVariant } from './lab-types.ts';

const MB = 1_000_000;

const variant = (
  quantization: string | null,
  sizeBytes: number | null,
  url = quantization ?? 'x',
): LabVariant => ({
  spec: { engine: 'gguf', url: `https://h/${url}.gguf`, label: url },
  label: quantization ?? url,
  quantization,
  source: 'catalog',
  sizeBytes,
  attention: { layers: 24, kvHeads: 2, headDim: 64 },
});

const stored = (
  v: LabVariant,
  status: 'complete' | 'partial',
  storedBytes: number,
): StoredModel => ({
  spec: v.spec,
  status,
  sizeBytes: v.sizeBytes,
  storedBytes,
  quantization: v.quantization,
  storedAt: 0,
  lastUsedAt: null,
});

describe('nominalBits', () => {
  it('orders llama.cpp and MLC names by precision', () => {
    const names = [
      'Q4_0',
      'F16',
      'Q8_0',
      'Q4_K_M',
      'F32',
      'Q6_K',
      'BF16',
      'IQ2_XS',
      'q4f16_1',
      'q0f32',
    ];
    const sorted = [...names].sort((a, b) => (nominalBits(b) ?? 0) - (nominalBits(a) ?? 0));
    expect(sorted.indexOf('F32')).toBeLessThan(sorted.indexOf('F16'));
    expect(sorted.indexOf('F16')).toBeLessThan(sorted.indexOf('Q8_0'));
    expect(sorted.indexOf('Q8_0')).toBeLessThan(sorted.indexOf('Q6_K'));
    expect(sorted.indexOf('Q6_K')).toBeLessThan(sorted.indexOf('Q4_K_M'));
    expect(sorted.indexOf('Q4_K_M')).toBeLessThan(sorted.indexOf('Q4_0'));
    expect(sorted.indexOf('Q4_0')).toBeLessThan(sorted.indexOf('IQ2_XS'));
    expect(nominalBits('q0f32')).toBe(32);
    expect(nominalBits('mystery')).toBeNull();
    expect(nominalBits(null)).toBeNull();
  });
});

describe('runOrder', () => {
  it('puts the most precise first, by name, then by size', () => {
    const order = runOrder([
      variant('Q4_K_M', 400 * MB),
      variant('F16', 1200 * MB),
      variant('Q8_0', 600 * MB),
    ]);
    expect(order.map((v) => v.label)).toEqual(['F16', 'Q8_0', 'Q4_K_M']);
    const unnamed = runOrder([variant(null, 300 * MB, 'small'), variant(null, 900 * MB, 'big')]);
    expect(unnamed.map((v) => v.label)).toEqual(['big', 'small']);
  });
});

describe('planLab', () => {
  const room = { usageBytes: 100 * MB, quotaBytes: 2000 * MB };
  const f16 = variant('F16', 1200 * MB);
  const q8 = variant('Q8_0', 600 * MB);
  const q4 = variant('Q4_K_M', 400 * MB);

  it('counts only what is not stored yet', () => {
    const plan = planLab(
      [f16, q8, q4],
      [stored(f16, 'complete', 1200 * MB), stored(q8, 'partial', 200 * MB)],
      room,
      fakeDevice,
      formatBytes,
    );
    expect(plan.rows.map((row) => [row.stored, row.downloadBytes])).toEqual([
      ['complete', 0],
      ['partial', 400 * MB],
      ['no', 400 * MB],
    ]);
    expect(plan.totalDownloadBytes).toBe(800 * MB);
    expect(plan.refusal).toBeNull();
    // Weights plus a KV cache for the context.
    expect(plan.rows[2]?.memory?.totalBytes).toBeGreaterThan(400 * MB);
  });

  it('refuses up front what will not fit in the quota, with the numbers', () => {
    const tight = { usageBytes: 100 * MB, quotaBytes: 1500 * MB };
    const plan = planLab([f16, q8, q4], [], tight, fakeDevice, formatBytes);
    expect(plan.totalDownloadBytes).toBe(2200 * MB);
    expect(plan.refusal).toBe(
      'These variants need 2.2 GB more storage, and the browser allows 1.4 GB more. Delete models you no longer use, or pick fewer or smaller variants.',
    );
  });

  it('needs two to six variants', () => {
    expect(planLab([f16], [], room, null, formatBytes).refusal).toMatch(/at least 2/);
    const seven = Array.from({ length: 7 }, (_, i) => variant(`Q${i}_0`, MB, `m${i}`));
    expect(planLab(seven, [], room, null, formatBytes).refusal).toMatch(/at most 6/);
  });

  it('says when a size is not known before the download', () => {
    const plan = planLab([f16, variant(null, null, 'url')], [], room, null, formatBytes);
    expect(plan.unknownSizes).toBe(1);
    expect(plan.rows[1]?.downloadBytes).toBeNull();
  });
});
