import type { DeviceReport, EngineError, SizedModel } from './engine-protocol.ts';
import { estimateMemory, memoryVerdict } from './memory-estimate.ts';

type OtherTabsMemory = Extract<EngineError, { kind: 'other-tabs-memory' }>;

/**
 * Whether loading `model` next to the models other tabs hold (`EngineApi.otherTabsModels`) would
 * need more memory than the device reports: the warning to show first, or null to load at once
 * (it fits, no other tab holds a model, or the device reports no limit to compare with).
 */
export function crowdedByOtherTabs(
  others: readonly SizedModel[],
  model: SizedModel,
  device: DeviceReport | null,
): OtherTabsMemory | null {
  if (others.length === 0) return null;
  const together = others.reduce((sum, other) => sum + other.bytes, model.bytes);
  const verdict = memoryVerdict(estimateMemory(together, null), device);
  if (verdict.likelyFits || verdict.limitBytes === null || verdict.limit === null) return null;
  return {
    kind: 'other-tabs-memory',
    others: others.map(({ label, bytes }) => ({ label, bytes })),
    model,
    limitBytes: verdict.limitBytes,
    limit: verdict.limit,
  };
}
