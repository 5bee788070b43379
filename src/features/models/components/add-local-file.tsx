import { useState } from 'react';

/**
 * Add a GGUF file from this device, by file picker or by dropping it here. It is copied into
 * the browser's storage; no network is involved.
 */
export function AddLocalFile({
  disabled,
  onFile,
}: {
  disabled: boolean;
  onFile: (file: File) => void;
}) {
  const [over, setOver] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const take = (files: FileList | null) => {
    const file = files?.[0];
    if (!file) return;
    if (!/\.gguf$/i.test(file.name)) {
      setProblem(`${file.name} is not a .gguf file.`);
      return;
    }
    setProblem(null);
    onFile(file);
  };

  return (
    <div
      className={over ? 'add-local drop-target' : 'add-local'}
      data-testid="local-drop-zone"
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        event.preventDefault();
        setOver(false);
        if (!disabled) take(event.dataTransfer.files);
      }}
    >
      <label htmlFor="local-gguf">Add a GGUF file from this device (or drop it here)</label>
      <input
        id="local-gguf"
        type="file"
        accept=".gguf"
        disabled={disabled}
        onChange={(event) => {
          take(event.target.files);
          event.target.value = '';
        }}
      />
      {problem && <p className="field-problem">{problem}</p>}
    </div>
  );
}
