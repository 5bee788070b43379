import { useState } from 'react';

/**
 * A button for something that cannot be undone: the first press asks, inline, for a second one
 * (no `window.confirm`, which blocks the page and cannot be styled or read by assistive tech as
 * part of the panel).
 */
export function ConfirmButton({
  label,
  confirmLabel,
  cancelLabel,
  groupLabel,
  disabled = false,
  onConfirm,
}: {
  label: string;
  confirmLabel: string;
  cancelLabel: string;
  /** Names the pair of buttons shown while asking, e.g. "Confirm deleting all chats". */
  groupLabel: string;
  disabled?: boolean;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span role="group" aria-label={groupLabel}>
      <button
        type="button"
        className="danger"
        disabled={disabled}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        {cancelLabel}
      </button>
    </span>
  );
}
