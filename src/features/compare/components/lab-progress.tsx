import { useEffect, useState } from 'react';
import { useEngineValue } from '../../../lib/engine-context.tsx';
import { isWaitingForTab } from '../../../lib/engine-lifecycle.ts';
import { errorMessage } from '../../../lib/error-messages.ts';
import { formatBytes, formatDuration } from '../../../lib/format.ts';
import type { LabProgress as Progress } from '../lab-runner.ts';
import { useLab, useLabStore } from '../lab-context.tsx';

const STAGES: Record<Progress['stage'], { words: string; start: number; share: number }> = {
  loading: { words: 'loading', start: 0, share: 0.2 },
  quality: { words: 'scoring the text', start: 0.2, share: 0.4 },
  speed: { words: 'measuring speed', start: 0.6, share: 0.3 },
  answers: { words: 'answering the prompts', start: 0.9, share: 0.1 },
  restoring: { words: 'loading your model again', start: 1, share: 0 },
};

/** The whole run's share done, 0–1: finished variants plus the current one's stage. */
export function overallFraction(progress: Progress): number {
  const stage = STAGES[progress.stage];
  const within = stage.start + stage.share * (progress.fraction ?? 0);
  return Math.min(
    1,
    (progress.finished + (progress.stage === 'restoring' ? 0 : within)) / progress.of,
  );
}

/** A comparison under way: each variant's state, the current step, the time left, Cancel. */
export function LabProgress() {
  const lab = useLabStore();
  const running = useLab((s) => s.running);
  const download = useEngineValue((s) =>
    s.state.status === 'downloading' ? s.state.download : null,
  );
  const waitingForTab = useEngineValue((s) => isWaitingForTab(s.state));
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  if (!running) return null;

  const { progress, variants, rows, startedAt } = running;
  const fraction = progress ? overallFraction(progress) : 0;
  const elapsed = (now - startedAt) / 1000;
  const left = fraction > 0.05 ? (elapsed / fraction) * (1 - fraction) : null;
  const current = progress ? variants[progress.variant] : undefined;

  return (
    <section className="lab-progress" aria-label="Comparison progress">
      <p aria-live="polite">
        {progress && current
          ? progress.stage === 'restoring'
            ? 'Loading your model again…'
            : `Variant ${progress.variant + 1} of ${progress.of}: ${current.label}, ${STAGES[progress.stage].words}${
                progress.fraction !== null ? ` ${Math.round(progress.fraction * 100)} %` : ''
              }`
          : 'Starting…'}
        {download &&
          ` · downloading ${formatBytes(download.loadedBytes)}${
            download.totalBytes ? ` of ${formatBytes(download.totalBytes)}` : ''
          }`}
        {waitingForTab &&
          ' · waiting for another tab’s model to finish (a measurement alongside it would be wrong)'}
      </p>
      <progress max={1} value={fraction} aria-label="Whole comparison" />
      <p className="muted">
        {Math.round(fraction * 100)} % · {formatDuration(elapsed)} so far
        {left !== null && ` · about ${formatDuration(left)} left`}
      </p>
      <ol className="lab-steps">
        {variants.map((variant, index) => {
          const row = rows[index];
          const state = row
            ? row.status === 'done'
              ? 'done'
              : `failed: ${row.error ? errorMessage(row.error).title : 'unknown error'}`
            : progress?.variant === index
              ? 'in progress'
              : 'waiting';
          return (
            <li key={variant.label + String(index)} className={`step-${state.split(':')[0] ?? ''}`}>
              {variant.label} <span className="muted">{state}</span>
            </li>
          );
        })}
      </ol>
      <button type="button" onClick={() => lab.cancel()}>
        Cancel comparison
      </button>
    </section>
  );
}
