import { describe, expect, it } from 'vitest';
import type { DeviceReport } from './engine-protocol.ts';
import { crowdedByOtherTabs } from './other-tabs-memory.ts';

const GiB = 1024 ** 3;
const device = (deviceMemoryGiB: number | null, memory64 = true): DeviceReport => ({
  gpu: { status: 'no-api' },
  wasm: { simd: true, exceptions: true, jspi: false, memory64 },
  logicalCores: 2,
  deviceMemoryGiB,
});
const model = { label: 'new', bytes: 3 * GiB };

describe('a load beside other tabs’ models', () => {
  it('loads at once when all of them fit', () => {
    expect(crowdedByOtherTabs([{ label: 'a', bytes: 4 * GiB }], model, device(8))).toBeNull();
  });

  it('warns when all of them together outgrow the device, naming each', () => {
    const others = [
      { label: 'a', bytes: 3 * GiB },
      { label: 'b', bytes: 3 * GiB },
    ];
    expect(crowdedByOtherTabs(others, model, device(8))).toEqual({
      kind: 'other-tabs-memory',
      others,
      model,
      limitBytes: 8 * GiB,
    });
  });

  it("leaves each tab's own WebAssembly heap out: only the device's memory is shared", () => {
    // 2 + 3 GiB on the CPU in two tabs: two heaps of their own, within the device's 8 GiB.
    expect(
      crowdedByOtherTabs([{ label: 'a', bytes: 2 * GiB }], model, device(8, false)),
    ).toBeNull();
  });

  it('loads at once when no other tab holds a model, however big this one is', () => {
    expect(crowdedByOtherTabs([], { label: 'huge', bytes: 100 * GiB }, device(8))).toBeNull();
  });

  it('loads at once when the device reports no limit to compare with', () => {
    const others = [{ label: 'a', bytes: 64 * GiB }];
    expect(crowdedByOtherTabs(others, model, device(null))).toBeNull();
    expect(crowdedByOtherTabs(others, model, null)).toBeNull();
  });

  it('counts the other tabs alone when this model’s size is not known', () => {
    expect(
      crowdedByOtherTabs([{ label: 'a', bytes: 9 * GiB }], { label: 'x', bytes: 0 }, device(8)),
    ).not.toBeNull();
  });
});
