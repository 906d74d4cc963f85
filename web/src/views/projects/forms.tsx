// Form plumbing shared by the project views: a gateway's field errors go next to their fields,
// and whatever the form cannot place is still shown once above the submit button.

import { ApiError } from "../../api/client";
import { ErrorNote } from "../../components/ui";

/** The gateway's message for `field`, if the last attempt failed on it. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.field(field) : undefined;
}

/** The error note for a form, left out when every problem is already shown beside its field. */
export function FormProblem({ error, fields }: { error: unknown; fields: readonly string[] }) {
  if (!error) return null;
  if (error instanceof ApiError && error.errors.length > 0) {
    const placed = error.errors.every((e) => fields.some((f) => e.field === f || e.field.endsWith(`.${f}`)));
    if (placed) return null;
  }
  return <ErrorNote error={error} />;
}
