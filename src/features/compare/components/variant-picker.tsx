import { useId, useState } from 'react';
import type { StoredModel } from '../../../shared/engine-protocol.ts';
import { modelLabel, sameModel } from '../../../shared/model-keys.ts';
import { useEngineStore, useEngineValue } from '../../../lib/engine-context.tsx';
import { errorMessage } from '../../../lib/error-messages.ts';
import { formatBytes } from '../../../lib/format.ts';
import { listRepoModels } from '../../../lib/hf-repo.ts';
import { readModelUrl, readRepoId } from '../../../lib/source-input.ts';
import { partsOf, quantizationOf, type RepoModel } from '../../../shared/hf-listing.ts';
import { MAX_VARIANTS } from '../lab-plan.ts';
import { useLab, useLabStore } from '../lab-context.tsx';
import type { LabFamily, LabVariant } from '../lab-types.ts';

const fileLabel = (url: string) => {
  const path = url.split(/[?#]/)[0] ?? url;
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)).replace(/\.gguf$/i, '') || url;
};

function storedVariant(model: StoredModel): LabVariant {
  return {
    spec: model.spec,
    label: model.quantization ?? modelLabel(model.spec),
    quantization: model.quantization,
    source:
      model.spec.engine === 'mlc'
        ? 'mlc'
        : model.spec.url.startsWith('local:')
          ? 'local'
          : 'stored',
    sizeBytes: model.sizeBytes,
    attention: null,
  };
}

/** One checkbox per variant: checked while it is picked. */
function VariantCheckbox({
  variant,
  detail,
  blocker = null,
}: {
  variant: LabVariant;
  detail: string;
  blocker?: string | null;
}) {
  const lab = useLabStore();
  const picked = useLab((s) => s.picked.some((p) => sameModel(p.spec, variant.spec)));
  const full = useLab((s) => s.picked.length >= MAX_VARIANTS);
  const running = useLab((s) => s.running !== null);
  return (
    <li>
      <label>
        <input
          type="checkbox"
          checked={picked}
          disabled={running || blocker !== null || (full && !picked)}
          onChange={(event) => (event.target.checked ? lab.pick(variant) : lab.unpick(variant))}
        />{' '}
        {variant.label} <span className="muted">{detail}</span>
        {blocker && <span className="muted"> · {blocker}</span>}
      </label>
    </li>
  );
}

type Listing =
  | { status: 'idle' | 'listing' }
  | { status: 'listed'; repo: string; models: RepoModel[] }
  | { status: 'failed'; message: string };

/** A Hugging Face repo's GGUF files, each a variant to pick (split files as one). */
function HuggingFaceSource() {
  const [repo, setRepo] = useState('');
  const [listing, setListing] = useState<Listing>({ status: 'idle' });
  const running = useLab((s) => s.running !== null);

  const list = async () => {
    const id = readRepoId(repo);
    if (!id.ok) {
      setListing({ status: 'failed', message: id.problem });
      return;
    }
    setListing({ status: 'listing' });
    const listed = await listRepoModels(id.value);
    setListing(
      listed.ok
        ? { status: 'listed', repo: listed.repo, models: listed.models }
        : { status: 'failed', message: listed.message },
    );
  };

  const variantOf = (repoId: string, model: RepoModel): LabVariant => {
    const parts = partsOf(repoId, model);
    const url = parts[0]?.url ?? '';
    return {
      spec: { engine: 'gguf', url, label: model.name, ...(parts.length > 1 && { parts }) },
      label: model.quantization ?? model.name,
      quantization: model.quantization,
      source: 'hugging-face',
      sizeBytes: model.sizeBytes,
      attention: null,
    };
  };

  return (
    <fieldset>
      <legend>From a Hugging Face repo</legend>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void list();
        }}
      >
        <input
          aria-label="Hugging Face repo to compare"
          placeholder="owner/name"
          value={repo}
          disabled={running}
          onChange={(event) => setRepo(event.target.value)}
        />
        <button type="submit" disabled={running || !repo.trim() || listing.status === 'listing'}>
          List
        </button>
      </form>
      {listing.status === 'listing' && <p className="muted">Listing…</p>}
      {listing.status === 'failed' && <p className="field-problem">{listing.message}</p>}
      {listing.status === 'listed' && (
        <ul className="plain" aria-label={`GGUF files in ${listing.repo}`}>
          {listing.models.map((model) => (
            <VariantCheckbox
              key={model.name}
              variant={variantOf(listing.repo, model)}
              detail={`${model.name} · ${formatBytes(model.sizeBytes)}`}
            />
          ))}
        </ul>
      )}
    </fieldset>
  );
}

/**
 * Where variants come from: a catalog family's quantizations (GGUF or MLC), the models stored
 * on this device, a Hugging Face repo's files, a GGUF URL, or a file from this device (copied
 * into storage first).
 */
export function VariantPicker({ families }: { families: LabFamily[] }) {
  const lab = useLabStore();
  const engine = useEngineStore();
  const running = useLab((s) => s.running !== null);
  const stored = useEngineValue((s) => s.stored);
  const [familyName, setFamilyName] = useState(families[0]?.family ?? '');
  const [url, setUrl] = useState('');
  const [urlProblem, setUrlProblem] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const [importNote, setImportNote] = useState<string | null>(null);
  const ids = useId();
  const family = families.find((f) => f.family === familyName);
  const complete = stored.filter((model) => model.status === 'complete');

  const addUrl = () => {
    const checked = readModelUrl(url);
    setUrlProblem(checked.ok ? null : checked.problem);
    if (!checked.ok) return;
    const name = fileLabel(checked.value);
    lab.pick({
      spec: { engine: 'gguf', url: checked.value, label: name },
      label: name,
      quantization: quantizationOf(name),
      source: 'url',
      sizeBytes: null,
      attention: null,
    });
    setUrl('');
  };

  const addFile = async (file: File) => {
    setImporting(true);
    setImportNote(`Copying ${file.name} into storage…`);
    const outcome = await engine.importLocal(file);
    setImporting(false);
    if (!outcome.ok) {
      setImportNote(`${file.name} could not be added: ${errorMessage(outcome.error).title}`);
      return;
    }
    setImportNote(null);
    lab.pick({
      spec: outcome.value,
      label: modelLabel(outcome.value),
      quantization: quantizationOf(file.name),
      source: 'local',
      sizeBytes: file.size,
      attention: null,
    });
  };

  return (
    <section className="lab-picker" aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`}>Pick 2–{MAX_VARIANTS} variants of one model</h3>
      <div className="lab-sources">
        <fieldset>
          <legend>From the catalog</legend>
          <label>
            Model family{' '}
            <select value={familyName} onChange={(event) => setFamilyName(event.target.value)}>
              {(['gguf', 'mlc'] as const).map((kind) => (
                <optgroup key={kind} label={kind === 'gguf' ? 'GGUF (llama.cpp)' : 'MLC (web-llm)'}>
                  {families
                    .filter((f) => f.engine === kind)
                    .map((f) => (
                      <option key={f.family} value={f.family}>
                        {f.family}
                      </option>
                    ))}
                </optgroup>
              ))}
            </select>
          </label>
          {family && (
            <ul className="plain" aria-label={`${family.family} quantizations`}>
              {family.variants.map(({ variant, blocker }) => (
                <VariantCheckbox
                  key={variant.label}
                  variant={variant}
                  blocker={blocker}
                  detail={variant.sizeBytes ? formatBytes(variant.sizeBytes) : ''}
                />
              ))}
            </ul>
          )}
        </fieldset>

        <fieldset>
          <legend>Stored on this device</legend>
          {complete.length === 0 ? (
            <p className="muted">No stored models yet.</p>
          ) : (
            <ul className="plain" aria-label="Stored models">
              {complete.map((model) => (
                <VariantCheckbox
                  key={
                    modelLabel(model.spec) + (model.spec.engine === 'gguf' ? model.spec.url : '')
                  }
                  variant={storedVariant(model)}
                  detail={[
                    modelLabel(model.spec),
                    model.sizeBytes !== null ? formatBytes(model.sizeBytes) : null,
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                />
              ))}
            </ul>
          )}
        </fieldset>

        <HuggingFaceSource />

        <fieldset>
          <legend>By URL or from a file</legend>
          <form
            className="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              addUrl();
            }}
          >
            <input
              type="url"
              aria-label="GGUF URL to compare"
              placeholder="https://…/model-Q4_K_M.gguf"
              value={url}
              disabled={running}
              onChange={(event) => setUrl(event.target.value)}
            />
            <button type="submit" disabled={running || !url.trim()}>
              Add URL
            </button>
          </form>
          <label className="file-input">
            GGUF file from this device{' '}
            <input
              type="file"
              accept=".gguf"
              disabled={running || importing}
              onChange={(event) => {
                const file = event.target.files?.[0];
                event.target.value = '';
                if (file) void addFile(file);
              }}
            />
          </label>
          {urlProblem && <p className="field-problem">{urlProblem}</p>}
          {importNote && (
            <p className="muted" aria-live="polite">
              {importNote}
            </p>
          )}
        </fieldset>
      </div>
    </section>
  );
}
