import type { DownloadState } from '../../lib/engine-lifecycle.ts';

export interface DownloadFigures {
  /** 0–100, or null while the total is unknown. */
  percent: number | null;
  bytesPerSecond: number | null;
  secondsLeft: number | null;
}

/** Speed is measured over the most recent few seconds, so it follows the network as it changes. */
const WINDOW_MS = 3000;

export function downloadFigures({
  loadedBytes,
  totalBytes,
  samples,
}: DownloadState): DownloadFigures {
  const percent =
    totalBytes && totalBytes > 0 ? Math.min(100, (loadedBytes / totalBytes) * 100) : null;
  const last = samples.at(-1);
  const first = last && samples.find((s) => last.at - s.at <= WINDOW_MS);
  const elapsedMs = last && first ? last.at - first.at : 0;
  const bytesPerSecond =
    last && first && elapsedMs > 0 ? ((last.bytes - first.bytes) / elapsedMs) * 1000 : null;
  const secondsLeft =
    bytesPerSecond && bytesPerSecond > 0 && totalBytes !== null
      ? Math.max(0, totalBytes - loadedBytes) / bytesPerSecond
      : null;
  return { percent, bytesPerSecond, secondsLeft };
}
