import type { ContextPolicy } from '../../../shared/engine-protocol.ts';
import { CONTEXT_SIZES } from '../../../shared/context-size.ts';
import { usePreference, usePreferenceStore } from '../../../lib/engine-context.tsx';

/**
 * The context window every load asks for, and what a chat does when it is full: persisted
 * preferences, read by each load (the size) and each turn (the policy).
 */
export function ContextSetting() {
  const contextSize = usePreference('contextSize');
  const policy = usePreference('contextPolicy');
  const preferences = usePreferenceStore();
  return (
    <div className="field">
      <label htmlFor="context-size">Context size (tokens)</label>
      <select
        id="context-size"
        value={contextSize}
        aria-describedby="context-size-hint"
        onChange={(e) => void preferences.update({ contextSize: Number(e.target.value) })}
      >
        {CONTEXT_SIZES.map((size) => (
          <option key={size} value={size}>
            {size.toLocaleString('en')}
          </option>
        ))}
      </select>
      <p id="context-size-hint" className="hint">
        Applies to the next GGUF load (a model trained for less gets its own); a larger context
        holds longer chats and needs more memory for its KV cache. MLC models keep their own.
      </p>
      <label htmlFor="context-policy">When a chat outgrows the context</label>
      <select
        id="context-policy"
        value={policy}
        onChange={(e) =>
          void preferences.update({ contextPolicy: e.target.value as ContextPolicy })
        }
      >
        <option value="drop-oldest">Leave out the oldest turns (keep the system prompt)</option>
        <option value="stop">Stop and say so</option>
      </select>
    </div>
  );
}
