import { useEngineValue, usePreference } from '../../../lib/engine-context.tsx';
import type { AttentionShape } from '../../../shared/memory-estimate.ts';
import { estimateMemory, memoryVerdict } from '../../../shared/memory-estimate.ts';
import { formatBytes } from '../../../lib/format.ts';

/**
 * The memory a GGUF model will need (weights plus the KV cache for the context it is loaded
 * with), shown before it is downloaded, with a warning when the device will likely not hold it.
 */
export function MemoryNote({
  weightsBytes,
  attention,
}: {
  weightsBytes: number;
  attention: AttentionShape | null;
}) {
  const device = useEngineValue((s) => s.device);
  // The context every load asks for (a model trained for less gets less, so this is the most).
  const contextSize = usePreference('contextSize');
  const backend = usePreference('backend');
  const estimate = estimateMemory(weightsBytes, attention, contextSize);
  const verdict = memoryVerdict(estimate, device, backend);
  const kv =
    estimate.kvCacheBytes !== null
      ? `KV cache for ${estimate.contextSize} tokens ${formatBytes(estimate.kvCacheBytes)}`
      : 'plus its KV cache (known once the header is read)';
  return (
    <span
      className={verdict.likelyFits ? 'memory' : 'memory warning'}
      title={`weights ${formatBytes(estimate.weightsBytes)}, ${kv}`}
    >
      needs ≈ {formatBytes(estimate.totalBytes)} memory
      {!verdict.likelyFits && verdict.limitBytes !== null && (
        <strong role="note">
          {' '}
          · will likely not fit: {verdict.limit} is {formatBytes(verdict.limitBytes)}
        </strong>
      )}
    </span>
  );
}
