import type { BackendPreference, ModelSpec } from '../shared/engine-protocol.ts';
import { ggufCatalog, ggufLabel } from '../features/models/gguf-catalog.ts';
import { mlcRecords } from '../features/models/mlc-catalog.ts';
import { WIDGET_ATTRIBUTES as KEY } from '../embed/widget-url.ts';

/**
 * What a site configured the widget with: the attributes of `<tab-llm-chat>`, which the loader
 * puts in the widget page's URL fragment (`#model=…&system=…`; see `src/embed/loader.ts`). The
 * fragment is the host's to write, so every value is checked and bounded here.
 */
export interface WidgetConfig {
  model: ModelSpec;
  /** The name the visitor is shown before anything is downloaded. */
  name: string;
  /** The download's size as known before it starts (catalog, or the site's `model-size`). */
  sizeBytes: number | null;
  systemPrompt: string;
  placeholder: string;
  theme: 'auto' | 'light' | 'dark';
  layout: 'inline' | 'launcher';
  backend: BackendPreference;
}

const MAX_SYSTEM_PROMPT = 8000;
const MAX_SHORT_TEXT = 200;

export type ConfigReading = { ok: true; config: WidgetConfig } | { ok: false; problem: string };

const oneOf = <T extends string>(value: string | null, allowed: readonly T[], fallback: T): T =>
  allowed.find((a) => a === value) ?? fallback;

/** The widget's settings from its page's fragment, or what is wrong with them. */
export function readWidgetConfig(fragment: string): ConfigReading {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  const text = (key: string, max: number) => {
    const value = params.get(key);
    return value !== null && value.length <= max ? value.trim() : null;
  };
  const model = text(KEY.model, 2000);
  if (!model) return { ok: false, problem: 'This widget has no model: its page sets none.' };

  let spec: ModelSpec;
  let sizeBytes: number | null = null;
  let name: string;
  if (/^https?:\/\//i.test(model)) {
    let url: URL;
    try {
      url = new URL(model);
    } catch {
      return { ok: false, problem: `The widget's model is not a valid URL: ${model}` };
    }
    const catalogued = ggufCatalog.find((entry) => entry.url === url.href);
    spec = { engine: 'gguf', url: url.href, label: ggufLabel(url.href) };
    name = catalogued ? `${catalogued.family} ${catalogued.quantization}` : spec.label;
    sizeBytes = catalogued?.approxBytes ?? null;
  } else {
    const record = mlcRecords.find((r) => r.model_id === model);
    if (!record) {
      return {
        ok: false,
        problem: `The widget's model "${model}" is neither a GGUF URL nor an MLC model of the catalog.`,
      };
    }
    spec = { engine: 'mlc', modelId: record.model_id };
    name = record.model_id;
  }

  const size = params.get(KEY['model-size']);
  if (sizeBytes === null && size !== null && /^\d{1,15}$/.test(size) && Number(size) > 0) {
    sizeBytes = Number(size);
  }
  return {
    ok: true,
    config: {
      model: spec,
      name: text(KEY['model-name'], MAX_SHORT_TEXT) || name,
      sizeBytes,
      systemPrompt: text(KEY['system-prompt'], MAX_SYSTEM_PROMPT) ?? '',
      placeholder: text(KEY.placeholder, MAX_SHORT_TEXT) || 'Message (Enter sends)',
      theme: oneOf(params.get(KEY.theme), ['auto', 'light', 'dark'], 'auto'),
      layout: oneOf(params.get(KEY.layout), ['inline', 'launcher'], 'inline'),
      backend: oneOf(params.get(KEY.backend), ['auto', 'cpu'], 'auto'),
    },
  };
}
