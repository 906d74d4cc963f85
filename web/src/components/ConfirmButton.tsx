import { useState, type ReactNode } from "react";

import { ErrorNote } from "./ui";

/** A destructive action asked twice: the first press shows what will happen and the button that
 * does it, so one mis-tap does nothing and no dialog is needed (nor dismissed by accident). */
export function ConfirmButton({ label, name, confirmLabel, question, busy, busyLabel = "Working…", error, describedBy, onConfirm }: {
  label: string;
  /** The first button's accessible name, when `label` alone does not say what it acts on. */
  name?: string;
  confirmLabel: string;
  question: ReactNode;
  busy: boolean;
  busyLabel?: string;
  /** Shown with the question, when the failure belongs there. */
  error?: unknown;
  describedBy?: string;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="danger" aria-label={name} aria-describedby={describedBy} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <div className="confirm" role="group" aria-label={name ?? label}>
      <p>{question}</p>
      <ErrorNote error={error} />
      <div className="row">
        <button type="button" className="danger" disabled={busy} onClick={onConfirm} autoFocus>
          {busy ? busyLabel : confirmLabel}
        </button>
        <button type="button" onClick={() => setAsking(false)} disabled={busy}>
          Cancel
        </button>
      </div>
    </div>
  );
}
