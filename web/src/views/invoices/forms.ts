// Small helpers the invoice forms share.

import { ApiError } from "../../api/client";
import { isoDate } from "../../api/format";

/** The message the gateway gave for exactly this field (`items.0.quantity`, not any quantity). */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.errors.find((e) => e.field === field)?.message;
}

/** The error to show above the submit button: none when every field it names is shown by its
 * field already, so a validation answer is not said twice. */
export function formLevelError(error: unknown, shownFields: (field: string) => boolean): unknown {
  if (error instanceof ApiError && error.status === 422 && error.errors.length > 0) {
    return error.errors.every((e) => shownFields(e.field)) ? null : error;
  }
  return error;
}

export function today(): string {
  return isoDate(new Date());
}

/** The first and last day of the month before `now`. */
export function lastMonth(now = new Date()): { start: string; end: string } {
  const start = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  const end = new Date(now.getFullYear(), now.getMonth(), 0);
  return { start: isoDate(start), end: isoDate(end) };
}

/** A decimal typed by a person, as the gateway takes it: trimmed, with a comma read as a point. */
export function decimalInput(value: string): string {
  return value.trim().replace(",", ".");
}
