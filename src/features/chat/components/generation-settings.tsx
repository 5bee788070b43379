import type { SamplingSettings } from '../../../shared/engine-protocol.ts';
import { MAX_SYSTEM_PROMPT } from '../../../lib/preferences.ts';
import type { ChatMode } from '../chat-store.ts';

export function GenerationSettings({
  mode,
  sampling,
  systemPrompt,
  hasChatTemplate,
  onMode,
  onSampling,
  onSystemPrompt,
}: {
  mode: ChatMode;
  sampling: SamplingSettings;
  systemPrompt: string;
  hasChatTemplate: boolean;
  onMode: (mode: ChatMode) => void;
  onSampling: (sampling: SamplingSettings) => void;
  onSystemPrompt: (systemPrompt: string) => void;
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
      <details className="chat-settings">
        <summary>
          Temperature {sampling.temperature}, up to {sampling.maxTokens} tokens
          {systemPrompt.trim() ? ' · system prompt' : ''}
        </summary>
        <label className="field">
          System prompt (this chat)
          <textarea
            rows={3}
            maxLength={MAX_SYSTEM_PROMPT}
            value={systemPrompt}
            placeholder="None: the model's own default"
            onChange={(event) => onSystemPrompt(event.target.value)}
          />
        </label>
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
        {optionalFields.map(({ key, ...field }) => (
          <OptionalNumberField
            key={key}
            {...field}
            value={sampling[key]}
            onChange={(value) => {
              // Cleared: the field is left out, so the engine's default applies.
              const rest = Object.fromEntries(
                Object.entries(sampling).filter(([name]) => name !== key),
              ) as unknown as SamplingSettings;
              onSampling(value === undefined ? rest : { ...rest, [key]: value });
            }}
          />
        ))}
      </details>
    </div>
  );
}

type OptionalKey = 'topP' | 'topK' | 'minP' | 'repeatPenalty' | 'seed';

/** The settings an empty field leaves to the engine's default (named in the placeholder). */
const optionalFields: {
  key: OptionalKey;
  label: string;
  min: number;
  max: number;
  step: number;
  engineDefault: string;
}[] = [
  { key: 'topP', label: 'Top-p', min: 0, max: 1, step: 0.05, engineDefault: '0.95 (llama.cpp)' },
  { key: 'topK', label: 'Top-k (GGUF only)', min: 0, max: 1000, step: 1, engineDefault: '40' },
  { key: 'minP', label: 'Min-p (GGUF only)', min: 0, max: 1, step: 0.01, engineDefault: '0.05' },
  {
    key: 'repeatPenalty',
    label: 'Repeat penalty',
    min: 0.5,
    max: 2,
    step: 0.05,
    engineDefault: '1 (off)',
  },
  { key: 'seed', label: 'Seed', min: 0, max: 2 ** 31 - 1, step: 1, engineDefault: 'random' },
];

/** A number input whose empty state means "the engine's default". */
function OptionalNumberField({
  label,
  min,
  max,
  step,
  engineDefault,
  value,
  onChange,
}: {
  label: string;
  min: number;
  max: number;
  step: number;
  engineDefault: string;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
}) {
  return (
    <label className="field">
      {label}
      <input
        type="number"
        min={min}
        max={max}
        step={step}
        value={value ?? ''}
        placeholder={`default: ${engineDefault}`}
        onChange={(event) => {
          if (event.target.value === '') return onChange(undefined);
          const parsed = Number(event.target.value);
          const whole = step >= 1 ? Math.round(parsed) : parsed;
          if (Number.isFinite(whole)) onChange(Math.min(max, Math.max(min, whole)));
        }}
      />
    </label>
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
