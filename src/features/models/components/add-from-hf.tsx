import { useState } from 'react';
import type { ModelSpec } from '../../../shared/engine-protocol.ts';
import { formatBytes } from '../../../lib/format.ts';
import {
  ggufModels,
  isRepoId,
  partsOf,
  restoreTree,
  treeUrl,
  type RepoModel,
} from '../../../shared/hf-listing.ts';
import { MemoryNote } from './memory-note.tsx';

type Listing =
  | { status: 'idle' }
  | { status: 'listing' }
  | { status: 'listed'; repo: string; models: RepoModel[] }
  | { status: 'failed'; message: string };

/** Add a GGUF model from a Hugging Face repo: list its GGUF files with size and quantization. */
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
    const id = repo.trim();
    if (!isRepoId(id)) {
      setListing({ status: 'failed', message: 'Enter a repo id like owner/name.' });
      return;
    }
    setListing({ status: 'listing' });
    try {
      const response = await fetch(treeUrl(id));
      if (!response.ok) {
        setListing({
          status: 'failed',
          message:
            response.status === 404 || response.status === 401
              ? `Hugging Face has no public repo ${id}.`
              : `Hugging Face answered ${response.status}. Try again later.`,
        });
        return;
      }
      const models = ggufModels(restoreTree(await response.json()));
      setListing(
        models.length > 0
          ? { status: 'listed', repo: id, models }
          : { status: 'failed', message: `${id} has no GGUF files.` },
      );
    } catch {
      setListing({
        status: 'failed',
        message: 'Could not reach Hugging Face. Check your connection and try again.',
      });
    }
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
          aria-describedby="hf-repo-hint"
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
      {listing.status === 'failed' && <p className="field-problem">{listing.message}</p>}
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
