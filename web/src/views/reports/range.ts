// The date ranges a report is asked for: inclusive, as YYYY-MM-DD, with the common ones a tap away.

import { isoDate } from "../../api/format";
import type { Range } from "./queries";

export interface Preset {
  label: string;
  range: (today: Date) => Range;
}

export const PRESETS: Preset[] = [
  {
    label: "This month",
    range: (today) => ({ start_date: isoDate(new Date(today.getFullYear(), today.getMonth(), 1)), end_date: isoDate(today) }),
  },
  {
    label: "Last month",
    range: (today) => ({
      start_date: isoDate(new Date(today.getFullYear(), today.getMonth() - 1, 1)),
      end_date: isoDate(new Date(today.getFullYear(), today.getMonth(), 0)),
    }),
  },
  {
    label: "This quarter",
    range: (today) => ({
      start_date: isoDate(new Date(today.getFullYear(), Math.floor(today.getMonth() / 3) * 3, 1)),
      end_date: isoDate(today),
    }),
  },
  {
    label: "This year",
    range: (today) => ({ start_date: isoDate(new Date(today.getFullYear(), 0, 1)), end_date: isoDate(today) }),
  },
];

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The range of the URL (?from=&to=), else this month. A half-typed date is left to the gateway
 * to name, except an empty one, which falls back to the default. */
export function rangeOf(params: URLSearchParams, today = new Date()): Range {
  const fallback = PRESETS[0].range(today);
  const from = params.get("from") ?? "";
  const to = params.get("to") ?? "";
  return {
    start_date: DATE.test(from) ? from : fallback.start_date,
    end_date: DATE.test(to) ? to : fallback.end_date,
  };
}
