import { usePreference, usePreferenceStore } from '../../../lib/engine-context.tsx';
import { MAX_SYSTEM_PROMPT } from '../../../lib/preferences.ts';

/** The system prompt new chats start with (each chat can change its own, above the conversation). */
export function DefaultSystemPrompt() {
  const value = usePreference('defaultSystemPrompt');
  const preferences = usePreferenceStore();
  return (
    <div className="field">
      <label htmlFor="default-system-prompt">System prompt for new chats</label>
      <textarea
        id="default-system-prompt"
        rows={3}
        maxLength={MAX_SYSTEM_PROMPT}
        value={value}
        placeholder="None"
        onChange={(e) => void preferences.update({ defaultSystemPrompt: e.target.value })}
      />
    </div>
  );
}
