// A failed form's problems: each field's message goes beside its input, the rest in one note.

import { ApiError, namesField } from "../api/client";
import { ErrorNote } from "./ui";

/** The gateway's message for `field`, if the last attempt failed on it. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.field(field) : undefined;
}

/** The form's error note, left out only when every field the error names is among `fields`, the
 * ones the form shows beside an input: a validation answer is said once, and never swallowed. */
export function FormProblem({ error, fields }: { error: unknown; fields: readonly string[] }) {
  if (!error) return null;
  const placed =
    error instanceof ApiError &&
    error.errors.length > 0 &&
    error.errors.every((e) => fields.some((f) => namesField(e.field, f)));
  return placed ? null : <ErrorNote error={error} />;
}
