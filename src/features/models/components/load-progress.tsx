import { useEngineStore, useEngineValue } from '../../../lib/engine-context.tsx';
import type { DownloadState } from '../../../lib/engine-lifecycle.ts';
import { formatBytes, formatDuration } from '../../../lib/format.ts';
import { downloadFigures } from '../download-progress.ts';
import { modelLabel } from '../../../shared/model-keys.ts';

/** Download and load progress of the model being loaded, with a way to cancel. */
export function LoadProgress() {
  const state = useEngineValue((s) => s.state);
  const engine = useEngineStore();
  if (state.status !== 'downloading' && state.status !== 'loading') return null;

  const label = modelLabel(state.spec);
  return (
    <div className="load-progress" aria-live="polite">
      {state.status === 'downloading' ? (
        <DownloadBar label={label} download={state.download} />
      ) : state.hashed ? (
        <HashBar label={label} hashed={state.hashed} />
      ) : (
        <p>
          {state.stage === 'verifying' ? 'Checking' : 'Loading'} {label}
          {state.stage === 'initializing' ? ' into the engine…' : '…'}
        </p>
      )}
      <button type="button" onClick={() => engine.cancelLoad()}>
        Cancel
      </button>
    </div>
  );
}

function HashBar({
  label,
  hashed,
}: {
  label: string;
  hashed: { bytes: number; totalBytes: number };
}) {
  const percent = hashed.totalBytes > 0 ? (100 * hashed.bytes) / hashed.totalBytes : 100;
  return (
    <>
      <p>Checking the SHA-256 of {label}</p>
      <progress aria-label={`Checking ${label}`} max={100} value={percent} />
      <p className="progress-figures">
        {formatBytes(hashed.bytes)} of {formatBytes(hashed.totalBytes)} · {Math.floor(percent)}%
      </p>
    </>
  );
}

function DownloadBar({ label, download }: { label: string; download: DownloadState }) {
  const { percent, bytesPerSecond, secondsLeft } = downloadFigures(download);
  const parts = [
    `${formatBytes(download.loadedBytes)}${
      download.totalBytes !== null ? ` of ${formatBytes(download.totalBytes)}` : ''
    }`,
    percent !== null && `${Math.floor(percent)}%`,
    bytesPerSecond !== null && `${formatBytes(bytesPerSecond)}/s`,
    secondsLeft !== null && `${formatDuration(secondsLeft)} left`,
  ].filter(Boolean);
  return (
    <>
      <p>{download.inOtherTab ? `Downloading ${label} in another tab` : `Downloading ${label}`}</p>
      <progress aria-label={`Downloading ${label}`} max={100} value={percent ?? undefined} />
      <p className="progress-figures">{parts.join(' · ')}</p>
    </>
  );
}
