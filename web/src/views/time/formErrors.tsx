// A failed form's problems: each field's message goes beside its field, the rest in one note.

import { ApiError } from "../../api/client";
import { ErrorNote } from "../../components/ui";

/** The gateway's message for `field`, if the last attempt failed on it. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.field(field) : undefined;
}

/** The form's error note, left out when every problem is already shown beside its field. */
export function FormProblem({ error, fields }: { error: unknown; fields: readonly string[] }) {
  if (!error) return null;
  const placed =
    error instanceof ApiError &&
    error.errors.length > 0 &&
    error.errors.every((e) => fields.some((f) => e.field === f || e.field.endsWith(`.${f}`)));
  return placed ? null : <ErrorNote error={error} />;
}
