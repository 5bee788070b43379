import type { BackendPreference } from '../../../shared/engine-protocol.ts';
import { useLab, useLabStore } from '../lab-context.tsx';
import { defaultLabSettings } from '../lab-store.ts';
import type { LabSettings } from '../lab-types.ts';

type NumberSetting = {
  [K in keyof LabSettings]: LabSettings[K] extends number ? K : never;
}[keyof LabSettings];

const NUMBER_FIELDS: {
  key: NumberSetting;
  label: string;
  min: number;
  max: number;
  help: string;
}[] = [
  { key: 'repetitions', label: 'Repetitions', min: 1, max: 10, help: 'as llama-bench -r' },
  { key: 'promptTokens', label: 'Prefill prompt (tokens)', min: 16, max: 4096, help: 'pp512' },
  { key: 'decodeTokens', label: 'Decode (tokens)', min: 8, max: 1024, help: 'tg128' },
  {
    key: 'evaluationTokens',
    label: 'Scored text (tokens)',
    min: 16,
    max: 8192,
    help: 'longer is steadier and slower',
  },
  { key: 'topK', label: 'Top-K for KL divergence', min: 1, max: 200, help: 'tokens per position' },
  { key: 'answerTokens', label: 'Answer length (tokens)', min: 8, max: 512, help: 'greedy' },
];

/** The backends in run order: quality on the first, speed on each. */
const withOther = (primary: BackendPreference, other: boolean): BackendPreference[] =>
  other ? [primary, primary === 'cpu' ? 'auto' : 'cpu'] : [primary];

const clamp = (value: number, min: number, max: number) =>
  Math.min(max, Math.max(min, Math.round(value)));

/** How a run measures: llama-bench's knobs, the scored text and its length. */
export function LabSettingsForm() {
  const lab = useLabStore();
  const settings = useLab((s) => s.settings);
  const running = useLab((s) => s.running !== null);
  const [primary = 'auto'] = settings.backends;
  const both = settings.backends.length > 1;
  const ownText =
    settings.evaluationText !== defaultLabSettings.evaluationText ||
    settings.evaluationPrompt !== defaultLabSettings.evaluationPrompt;

  return (
    <details className="lab-settings">
      <summary>Settings</summary>
      <fieldset disabled={running}>
        <div className="backend-fields">
          <label>
            Quality and answers on{' '}
            <select
              value={primary}
              onChange={(event) => {
                const next = event.target.value === 'cpu' ? 'cpu' : 'auto';
                lab.setSettings({ backends: withOther(next, both) });
              }}
            >
              <option value="auto">WebGPU (CPU where a model cannot run on it)</option>
              <option value="cpu">CPU</option>
            </select>
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={both}
              onChange={(event) =>
                lab.setSettings({ backends: withOther(primary, event.target.checked) })
              }
            />{' '}
            Also measure speed on the {primary === 'cpu' ? 'GPU' : 'CPU'} (GGUF)
          </label>
        </div>
        <div className="number-fields">
          {NUMBER_FIELDS.map(({ key, label, min, max, help }) => (
            <label key={key}>
              {label}
              <input
                type="number"
                min={min}
                max={max}
                value={settings[key]}
                onChange={(event) => {
                  const value = Number(event.target.value);
                  if (Number.isFinite(value)) lab.setSettings({ [key]: clamp(value, min, max) });
                }}
              />
              <span className="muted">{help}</span>
            </label>
          ))}
        </div>
        <label className="text-field">
          Context before the text <span className="muted">(read, never scored)</span>
          <textarea
            rows={2}
            value={settings.evaluationPrompt}
            onChange={(event) => lab.setSettings({ evaluationPrompt: event.target.value })}
          />
        </label>
        <label className="text-field">
          Text to score{' '}
          <span className="muted">
            {ownText ? '(your own)' : '(built in: a public-domain passage)'}; plain ASCII is safest
          </span>
          <textarea
            rows={4}
            value={settings.evaluationText}
            onChange={(event) => lab.setSettings({ evaluationText: event.target.value })}
          />
        </label>
        {ownText && (
          <button
            type="button"
            onClick={() =>
              lab.setSettings({
                evaluationPrompt: defaultLabSettings.evaluationPrompt,
                evaluationText: defaultLabSettings.evaluationText,
              })
            }
          >
            Use the built-in text
          </button>
        )}
      </fieldset>
    </details>
  );
}
