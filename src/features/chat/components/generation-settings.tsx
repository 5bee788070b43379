import type { SamplingSettings } from '../../../lib/engine-protocol.ts';
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
  const number = (value: string, fallback: number) => {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : fallback;
  };
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
        <label className="field">
          Temperature (0 = always the most likely token)
          <input
            type="number"
            min={0}
            max={2}
            step={0.1}
            value={sampling.temperature}
            onChange={(e) =>
              onSampling({
                ...sampling,
                temperature: Math.min(2, Math.max(0, number(e.target.value, 0))),
              })
            }
          />
        </label>
        <label className="field">
          Max tokens
          <input
            type="number"
            min={1}
            max={8192}
            step={1}
            value={sampling.maxTokens}
            onChange={(e) =>
              onSampling({
                ...sampling,
                maxTokens: Math.min(8192, Math.max(1, Math.round(number(e.target.value, 1)))),
              })
            }
          />
        </label>
      </details>
    </div>
  );
}
