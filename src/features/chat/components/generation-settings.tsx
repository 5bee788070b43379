import type { SamplingSettings } from '../../../shared/engine-protocol.ts';
import type { ChatMode } from '../chat-store.ts';

export function GenerationSettings({
  mode,
  sampling,
  hasChatTemplate,
  onMode,
  onSampling,
}: {
  mode: ChatMode;
  sampling: SamplingSettings;
  hasChatTemplate: boolean;
  onMode: (mode: ChatMode) => void;
  onSampling: (sampling: SamplingSettings) => void;
}) {
  return (
    <div className="settings">
      <fieldset className="mode">
        <legend className="visually-hidden">Mode</legend>
        <label>
          <input
            type="radio"
            name="mode"
            checked={mode === 'chat'}
            onChange={() => onMode('chat')}
          />
          Chat
        </label>
        <label>
          <input
            type="radio"
            name="mode"
            checked={mode === 'complete'}
            onChange={() => onMode('complete')}
          />
          Text completion
        </label>
        {!hasChatTemplate && (
          <span className="note">This model has no chat template: it continues text.</span>
        )}
      </fieldset>
      <details>
        <summary>
          Temperature {sampling.temperature}, up to {sampling.maxTokens} tokens
        </summary>
        <NumberField
          label="Temperature (0 = always the most likely token)"
          min={0}
          max={2}
          step={0.1}
          value={sampling.temperature}
          onChange={(temperature) => onSampling({ ...sampling, temperature })}
        />
        <NumberField
          label="Max tokens"
          min={1}
          max={8192}
          step={1}
          value={sampling.maxTokens}
          onChange={(maxTokens) => onSampling({ ...sampling, maxTokens })}
        />
      </details>
    </div>
  );
}

/** A number input that only ever reports values within [min, max] on its step grid's precision. */
function NumberField({
  label,
  min,
  max,
  step,
  value,
  onChange,
}: {
  label: string;
  min: number;
  max: number;
  step: number;
  value: number;
  onChange: (value: number) => void;
}) {
  return (
    <label className="field">
      {label}
      <input
        type="number"
        min={min}
        max={max}
        step={step}
        value={value}
        onChange={(event) => {
          const parsed = Number(event.target.value);
          const whole = step >= 1 ? Math.round(parsed) : parsed;
          onChange(Number.isFinite(whole) ? Math.min(max, Math.max(min, whole)) : min);
        }}
      />
    </label>
  );
}
