// Small helpers the invoice forms share.

import { isoDate } from "../../api/format";

export function today(): string {
  return isoDate(new Date());
}

/** The first and last day of the month before `now`. */
export function lastMonth(now = new Date()): { start: string; end: string } {
  const start = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  const end = new Date(now.getFullYear(), now.getMonth(), 0);
  return { start: isoDate(start), end: isoDate(end) };
}
