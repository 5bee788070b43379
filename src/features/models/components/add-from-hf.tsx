import { useState } from 'react';
import type { ModelSpec } from '../../../shared/engine-protocol.ts';
import { formatBytes } from '../../../lib/format.ts';
import { partsOf, type RepoModel } from '../../../shared/hf-listing.ts';
import { listRepoModels } from '../../../lib/hf-repo.ts';
import { readRepoId } from '../../../lib/source-input.ts';
import { MemoryNote } from './memory-note.tsx';

type Listing =
  | { status: 'idle' }
  | { status: 'listing' }
  | { status: 'listed'; repo: string; models: RepoModel[] }
  | { status: 'failed'; message: string };

/**
 * Add a GGUF model from a Hugging Face repo (its id or a link to it): list its GGUF files with
 * size and quantization, or say why there are none to list.
 */
export function AddFromHf({
  disabled,
  onLoad,
}: {
  disabled: boolean;
  onLoad: (spec: ModelSpec) => void;
}) {
  const [repo, setRepo] = useState('');
  const [listing, setListing] = useState<Listing>({ status: 'idle' });

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

  return (
    <form
      className="add-hf"
      onSubmit={(event) => {
        event.preventDefault();
        void list();
      }}
    >
      <label htmlFor="hf-repo">Add from a Hugging Face repo</label>
      <div className="row">
        <input
          id="hf-repo"
          placeholder="owner/name"
          aria-invalid={listing.status === 'failed'}
          aria-describedby={
            listing.status === 'failed' ? 'hf-repo-hint hf-repo-problem' : 'hf-repo-hint'
          }
          value={repo}
          onChange={(event) => setRepo(event.target.value)}
        />
        <button type="submit" disabled={!repo.trim() || listing.status === 'listing'}>
          List files
        </button>
      </div>
      <p id="hf-repo-hint" className="hint">
        For example Qwen/Qwen2.5-0.5B-Instruct-GGUF
      </p>
      {listing.status === 'listing' && <p className="muted">Listing…</p>}
      {listing.status === 'failed' && (
        <p id="hf-repo-problem" className="field-problem" aria-live="polite">
          {listing.message}
        </p>
      )}
      {listing.status === 'listed' && (
        <ul className="model-list" aria-label={`GGUF files in ${listing.repo}`}>
          {listing.models.map((model) => (
            <li key={model.name}>
              <span className="name">{model.name}</span>
              {model.quantization && <span className="quant">{model.quantization}</span>}
              <span className="size">
                {formatBytes(model.sizeBytes)}
                {model.parts.length > 1 && ` in ${model.parts.length} parts`}
              </span>
              <MemoryNote weightsBytes={model.sizeBytes} attention={null} />
              <button
                type="button"
                disabled={disabled}
                aria-label={`Load ${model.name}`}
                onClick={() =>
                  onLoad({
                    engine: 'gguf',
                    url: partsOf(listing.repo, model)[0]?.url ?? '',
                    label: model.name.replace(/\.gguf$/i, ''),
                    parts: partsOf(listing.repo, model),
                  })
                }
              >
                Load
              </button>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
