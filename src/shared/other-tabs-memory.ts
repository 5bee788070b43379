import type { DeviceReport, EngineError, SizedModel } from './engine-protocol.ts';
import { deviceMemoryBytes } from './memory-estimate.ts';

type OtherTabsMemory = Extract<EngineError, { kind: 'other-tabs-memory' }>;

/**
 * Whether loading `model` next to the models other tabs hold (`EngineApi.otherTabsModels`) would
 * need more memory than the device reports: the warning to show first, or null to load at once
 * (it fits, no other tab holds a model, or the device reports no limit to compare with). Only the
 * device's memory is shared: each tab's WebAssembly heap is its own, and each load checks that.
 */
export function crowdedByOtherTabs(
  others: readonly SizedModel[],
  model: SizedModel,
  device: DeviceReport | null,
): OtherTabsMemory | null {
  if (others.length === 0) return null;
  const together = others.reduce((sum, other) => sum + other.bytes, model.bytes);
  const limitBytes = deviceMemoryBytes(device);
  if (limitBytes === null || together <= limitBytes) return null;
  return {
    kind: 'other-tabs-memory',
    others: others.map(({ label, bytes }) => ({ label, bytes })),
    model,
    limitBytes,
  };
}
