// Numbers as people type them: a comma may stand for the decimal point ("1,5").

/** A decimal as the gateway takes money and rates: a string (no float rounding), trimmed, with a
 * comma read as a point. */
export function decimalInput(value: string): string {
  return value.trim().replace(",", ".");
}

/** Hours as typed ("1.5", "1,5"; empty is 0 for the gateway to refuse), or null if not a number. */
export function parseHours(text: string): number | null {
  const trimmed = decimalInput(text);
  const value = trimmed === "" ? 0 : Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

export const NOT_A_NUMBER = "Enter hours as a number, e.g. 1.5";
