import type { LoadEvent } from '../../shared/engine-protocol.ts';
import { getManifest, type ShardStore } from '../../shared/shard-store.ts';
import { partsOf, type GgufSpec } from './gguf-spec.ts';

const POLL_MS = 250;

/**
 * Reports the progress of a download that another tab is doing, read from the manifests it
 * commits chunk by chunk, every POLL_MS until `signal` aborts.
 */
export async function reportOtherTabProgress(
  store: ShardStore,
  spec: GgufSpec,
  signal: AbortSignal,
  onEvent: (event: LoadEvent) => void,
): Promise<void> {
  const parts = partsOf(spec);
  // A function, because the signal changes while this loop awaits.
  const stopped = () => signal.aborted;
  while (!stopped()) {
    const manifests = await Promise.all(parts.map((p) => getManifest(store, p.url)));
    const sizes = manifests.map((m, i) => m?.sizeBytes ?? parts[i]?.sizeBytes ?? null);
    if (!stopped()) {
      onEvent({
        type: 'download',
        loadedBytes: manifests.reduce((sum, m) => sum + (m?.storedBytes ?? 0), 0),
        totalBytes: sizes.every((s) => s !== null) ? sizes.reduce((a, b) => a + b, 0) : null,
        at: Date.now(),
        inOtherTab: true,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
