/**
 * Thinking on or off, for a model whose chat template has the switch (Qwen3's `enable_thinking`).
 * Off, the model answers at once; on, it reasons first (slower, often better on hard questions).
 */
export function ThinkingSwitch({ on, onChange }: { on: boolean; onChange: (on: boolean) => void }) {
  return (
    <label className="thinking-switch">
      <input type="checkbox" checked={on} onChange={(event) => onChange(event.target.checked)} />
      Think before answering
    </label>
  );
}
