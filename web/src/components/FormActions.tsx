import { FormProblem } from "./formErrors";

/** The foot of every form: what went wrong that no field shows, then submit (its label while
 * the request runs) and, when the form can be closed, Cancel. */
export function FormActions({ error, fields, busy, label, busyLabel, onCancel }: {
  error: unknown;
  fields: readonly string[];
  busy: boolean;
  label: string;
  busyLabel: string;
  onCancel?: () => void;
}) {
  return (
    <>
      <FormProblem error={error} fields={fields} />
      <div className="row">
        <button className="primary" type="submit" disabled={busy}>{busy ? busyLabel : label}</button>
        {onCancel && <button type="button" onClick={onCancel}>Cancel</button>}
      </div>
    </>
  );
}
