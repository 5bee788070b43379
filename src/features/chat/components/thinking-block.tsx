import { useId } from 'react';
import { formatDuration } from '../../../lib/format.ts';
import { MarkdownView } from './markdown-view.tsx';

/** "3.2 s" under ten seconds (where a tenth still tells something), then "45 s", "2 min 5 s". */
function thoughtFor(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : formatDuration(ms / 1000);
}

/**
 * A model's reasoning, above its answer: open while the model thinks, folded once the reasoning
 * ends, and left open when no answer followed (it ran out of tokens or was stopped mid-thought),
 * since then the reasoning is all there is to read. The reader may open or fold it at any time.
 * Reasoning is model output, so it goes through the same sanitized markdown as the answer.
 */
export function ThinkingBlock({
  reasoning,
  durationMs,
  streaming,
  answered,
}: {
  reasoning: string;
  /** From the first thought to the reasoning's end; undefined while it goes on (or unknown). */
  durationMs: number | undefined;
  /** The answer is still streaming. */
  streaming: boolean;
  /** Some answer text came after the reasoning. */
  answered: boolean;
}) {
  const labelId = useId();
  const thinking = streaming && durationMs === undefined;
  const label = thinking
    ? 'Thinking…'
    : durationMs === undefined
      ? 'Thinking'
      : `Thought for ${thoughtFor(durationMs)}`;
  return (
    // `open` is set only when it changes: the reader's own opening or folding stays until then.
    <details
      className="thinking"
      open={thinking || !answered}
      aria-labelledby={labelId}
      aria-busy={thinking}
    >
      <summary id={labelId}>{label}</summary>
      <MarkdownView text={reasoning} />
    </details>
  );
}
