import type { LoadedModel } from '../../../shared/engine-protocol.ts';
import type { ChatMessage } from '../chat-archive.ts';

/**
 * The context the conversation takes, as the engine counted it at its last answer (its prompt,
 * chat template included, plus the answer), against the context the model was loaded with; and
 * how many earlier messages the last answer could not see.
 */
export function ContextMeter({
  path,
  model,
}: {
  path: readonly ChatMessage[];
  model: LoadedModel | null;
}) {
  const last = path.findLast((m) => m.role === 'assistant' && m.context !== undefined);
  const size = model?.contextSize ?? last?.context?.contextSize ?? null;
  if (size === null) return null;
  const prompt = last?.context?.promptTokens ?? null;
  const used = prompt === null ? null : prompt + (last?.timings?.outputTokens ?? 0);
  const leftOut = last?.context?.leftOutIds.length ?? 0;
  return (
    <div className="context-meter">
      <span aria-hidden="true">Context</span>
      <meter
        aria-label="Context used"
        min={0}
        max={size}
        value={Math.min(used ?? 0, size)}
        high={size * 0.8}
        optimum={0}
      />
      <span data-testid="context-used">
        {used === null ? '–' : used.toLocaleString('en')} / {size.toLocaleString('en')} tokens
      </span>
      {leftOut > 0 && (
        <span className="left-out-count" role="status">
          {leftOut} earlier {leftOut === 1 ? 'message' : 'messages'} left out
        </span>
      )}
    </div>
  );
}
