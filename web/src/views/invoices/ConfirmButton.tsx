import { useState, type ReactNode } from "react";

/** A destructive action asked twice: the first press shows what will happen and the button that
 * does it, so no dialog is needed (and none is dismissed by accident). */
export function ConfirmButton({ label, confirmLabel, question, busy, onConfirm }: {
  label: string;
  confirmLabel: string;
  question: ReactNode;
  busy: boolean;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="danger" onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <div className="inv-confirm" role="group" aria-label={label}>
      <p>{question}</p>
      <div className="row">
        <button type="button" className="danger" disabled={busy} onClick={onConfirm} autoFocus>
          {busy ? "Working…" : confirmLabel}
        </button>
        <button type="button" onClick={() => setAsking(false)} disabled={busy}>
          Cancel
        </button>
      </div>
    </div>
  );
}
