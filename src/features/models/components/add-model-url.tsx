import { useState } from 'react';
import { ggufLabel } from '../gguf-catalog.ts';
import { readModelUrl } from '../../../lib/source-input.ts';

/** Load any GGUF file by its URL (it must be served with CORS); a link it cannot use is named. */
export function AddModelUrl({
  disabled,
  onLoad,
}: {
  disabled: boolean;
  onLoad: (url: string, label: string) => void;
}) {
  const [url, setUrl] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  const submit = () => {
    const read = readModelUrl(url);
    if (!read.ok) {
      setProblem(read.problem);
      return;
    }
    setProblem(null);
    onLoad(read.value, ggufLabel(read.value));
  };

  return (
    <form
      className="add-url"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <label htmlFor="gguf-url">Add a GGUF model by URL</label>
      <div className="row">
        <input
          id="gguf-url"
          type="url"
          placeholder="https://…/model.gguf"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
          aria-invalid={problem !== null}
          aria-describedby={problem ? 'gguf-url-problem' : undefined}
        />
        <button type="submit" disabled={disabled || !url.trim()}>
          Load from URL
        </button>
      </div>
      {problem && (
        <p id="gguf-url-problem" className="field-problem" aria-live="polite">
          {problem}
        </p>
      )}
    </form>
  );
}
