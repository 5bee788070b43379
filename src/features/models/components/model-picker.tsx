import { useMemo, useState, type ReactNode } from 'react';
import type { ModelSpec } from '../../../shared/engine-protocol.ts';
import { useEngineStore, useEngineValue } from '../../../lib/engine-context.tsx';
import { mayLoad } from '../../../lib/engine-store.ts';
import { errorMessage } from '../../../lib/error-messages.ts';
import { formatBytes } from '../../../lib/format.ts';
import { blockerError } from '../../../shared/mlc-requirements.ts';
import { filterFamilies } from '../catalog-filter.ts';
import { ggufCatalog, type GgufCatalogEntry } from '../gguf-catalog.ts';
import { groupMlcModels, mlcRecords, type MlcVariant } from '../mlc-catalog.ts';
import { sameModel } from '../../../shared/model-keys.ts';
import { AddFromHf } from './add-from-hf.tsx';
import { AddLocalFile } from './add-local-file.tsx';
import { AddModelUrl } from './add-model-url.tsx';
import { BackendSetting } from './backend-setting.tsx';
import { ContextSetting } from './context-setting.tsx';
import { LoadProgress } from './load-progress.tsx';
import { MemoryNote } from './memory-note.tsx';

/**
 * Pick a model: the curated GGUF list, web-llm's MLC list, any GGUF URL, a Hugging Face repo's
 * GGUF files, or a GGUF file from this device. Stored models are in the library beside it (and
 * in the top bar's model switcher).
 */
export function ModelPicker() {
  // A boolean, not the state: download progress changes the state many times a second.
  const busy = useEngineValue((s) => !mayLoad(s));
  const device = useEngineValue((s) => s.device);
  const everything = useEngineValue((s) => s.stored);
  // Partial downloads are resumed or discarded in the library.
  const stored = useMemo(
    () => everything.filter((model) => model.status === 'complete'),
    [everything],
  );
  const engine = useEngineStore();
  const [query, setQuery] = useState('');

  const load = (spec: ModelSpec) => void engine.load(spec);
  const isStored = (spec: ModelSpec) => stored.some((s) => sameModel(s.spec, spec));
  const filtering = query.trim() !== '';

  const ggufFamilies = useMemo(() => {
    const families = new Map<string, GgufCatalogEntry[]>();
    for (const entry of ggufCatalog) {
      families.set(entry.family, [...(families.get(entry.family) ?? []), entry]);
    }
    return filterFamilies(
      [...families].map(([family, variants]) => ({ family, variants })),
      query,
    );
  }, [query]);
  const mlcFamilies = useMemo(
    () => (device ? filterFamilies(groupMlcModels(mlcRecords, device.gpu), query) : []),
    [device, query],
  );

  return (
    <section aria-labelledby="models-heading" className="panel models">
      <h2 id="models-heading">Models</h2>

      <BackendSetting />
      <ContextSetting />

      <LoadProgress />

      <AddModelUrl disabled={busy} onLoad={(url, label) => load({ engine: 'gguf', url, label })} />
      <AddFromHf disabled={busy} onLoad={load} />
      <AddLocalFile disabled={busy} onFile={(file) => void engine.loadLocalFile(file)} />

      <label className="field">
        Filter models
        <input
          type="search"
          value={query}
          placeholder="e.g. qwen q4"
          onChange={(e) => setQuery(e.target.value)}
        />
      </label>

      <CatalogSection
        title="GGUF models (llama.cpp: WebGPU or CPU)"
        open
        filtering={filtering}
        families={ggufFamilies}
        row={(entry) => (
          <GgufRow
            key={entry.url}
            entry={entry}
            stored={isStored({ engine: 'gguf', url: entry.url, label: '' })}
            busy={busy}
            onLoad={load}
          />
        )}
      />
      <CatalogSection
        title="MLC models (web-llm: WebGPU only)"
        open={filtering}
        filtering={filtering}
        families={mlcFamilies}
        row={(variant) => (
          <MlcRow
            key={variant.modelId}
            variant={variant}
            stored={isStored({ engine: 'mlc', modelId: variant.modelId })}
            busy={busy}
            onLoad={load}
          />
        )}
      />
    </section>
  );
}

/** A collapsible list of model families, each a collapsible list of its variants. */
function CatalogSection<V>({
  title,
  open,
  filtering,
  families,
  row,
}: {
  title: string;
  open: boolean;
  /** While a filter is typed, every matching family is shown open. */
  filtering: boolean;
  families: { family: string; variants: V[] }[];
  row: (variant: V) => ReactNode;
}) {
  return (
    <details className="catalog" open={open}>
      <summary>
        <h3>{title}</h3>
      </summary>
      {families.map(({ family, variants }) => (
        <details key={family} className="family" open={filtering}>
          <summary>{family}</summary>
          <ul className="model-list">{variants.map(row)}</ul>
        </details>
      ))}
    </details>
  );
}

function GgufRow({
  entry,
  stored,
  busy,
  onLoad,
}: {
  entry: GgufCatalogEntry;
  stored: boolean;
  busy: boolean;
  onLoad: (spec: ModelSpec) => void;
}) {
  const label = `${entry.family} ${entry.quantization}`;
  return (
    <li>
      <span className="quant">{entry.quantization}</span>
      <span className="size">≈ {formatBytes(entry.approxBytes)}</span>
      <MemoryNote weightsBytes={entry.approxBytes} attention={entry.attention} />
      {stored && <span className="badge">stored</span>}
      <button
        type="button"
        disabled={busy}
        onClick={() => onLoad({ engine: 'gguf', url: entry.url, label })}
        aria-label={`Load ${label}`}
      >
        Load
      </button>
    </li>
  );
}

function MlcRow({
  variant,
  stored,
  busy,
  onLoad,
}: {
  variant: MlcVariant;
  stored: boolean;
  busy: boolean;
  onLoad: (spec: ModelSpec) => void;
}) {
  const blocked = variant.blocker
    ? errorMessage(blockerError(variant.blocker, variant.modelId)).title
    : null;
  return (
    <li className={blocked ? 'blocked' : undefined}>
      <span className="quant">
        {variant.quantization}
        {variant.variant && ` (${variant.variant})`}
      </span>
      {variant.vramMB !== null && (
        <span className="size">needs ≈ {formatBytes(variant.vramMB * 1e6)} GPU memory</span>
      )}
      {stored && <span className="badge">stored</span>}
      {blocked && <span className="blocker">Cannot run here: {blocked}</span>}
      <button
        type="button"
        disabled={busy || blocked !== null}
        onClick={() => onLoad({ engine: 'mlc', modelId: variant.modelId })}
        aria-label={`Load ${variant.modelId}`}
      >
        Load
      </button>
    </li>
  );
}
