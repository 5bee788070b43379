import { useState } from 'react';
import { ggufLabel } from '../gguf-catalog.ts';

/** Load any GGUF file by its URL (it must be served with CORS). */
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
    const trimmed = url.trim();
    try {
      const parsed = new URL(trimmed);
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('protocol');
    } catch {
      setProblem('Enter a full http(s) link to a .gguf file.');
      return;
    }
    setProblem(null);
    onLoad(trimmed, ggufLabel(trimmed));
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
          aria-describedby={problem ? 'gguf-url-problem' : undefined}
        />
        <button type="submit" disabled={disabled || !url.trim()}>
          Load from URL
        </button>
      </div>
      {problem && (
        <p id="gguf-url-problem" className="field-problem">
          {problem}
        </p>
      )}
    </form>
  );
}
