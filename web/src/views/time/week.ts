// A week of time entries as the grid reads it: Monday first, hours summed per project and day.
// Running timers have no hours yet and count once they stop.

import { addDays, isoDate, monday } from "../../api/format";
import type { Entry, Week } from "./queries";

export interface Day {
  iso: string;
  /** "Mon" */
  weekday: string;
  /** "Nov 30" */
  label: string;
}

export interface GridRow {
  projectId: string;
  /** Hours per day, in the order of `days`. */
  cells: number[];
  total: number;
}

export interface WeekGridModel {
  days: Day[];
  rows: GridRow[];
  dayTotals: number[];
  total: number;
}

/** The week starting on the Monday of `date` (YYYY-MM-DD or a Date). */
export function weekOf(date: string | Date): Week {
  const d = typeof date === "string" ? new Date(`${date}T00:00:00`) : date;
  const start = monday(Number.isNaN(d.getTime()) ? new Date() : d);
  return { from: isoDate(start), to: isoDate(addDays(start, 6)) };
}

export function shiftWeek(week: Week, weeks: number): Week {
  return weekOf(addDays(new Date(`${week.from}T00:00:00`), weeks * 7));
}

export function daysOf(week: Week): Day[] {
  const start = new Date(`${week.from}T00:00:00`);
  return Array.from({ length: 7 }, (_, i) => {
    const d = addDays(start, i);
    return {
      iso: isoDate(d),
      weekday: d.toLocaleDateString(undefined, { weekday: "short" }),
      label: d.toLocaleDateString(undefined, { month: "short", day: "numeric" }),
    };
  });
}

/** Adds without float dust: hours carry at most 2 decimals, so sum in hundredths. */
function add(a: number, b: number): number {
  return Math.round(a * 100 + b * 100) / 100;
}

export function buildGrid(week: Week, entries: Entry[], order: (projectId: string) => string): WeekGridModel {
  const days = daysOf(week);
  const column = new Map(days.map((d, i) => [d.iso, i]));
  const rows = new Map<string, GridRow>();
  for (const entry of entries) {
    const i = column.get(entry.date_worked);
    if (i === undefined || entry.hours === null || entry.is_running) continue;
    let row = rows.get(entry.project_id);
    if (!row) {
      row = { projectId: entry.project_id, cells: days.map(() => 0), total: 0 };
      rows.set(entry.project_id, row);
    }
    row.cells[i] = add(row.cells[i], entry.hours);
    row.total = add(row.total, entry.hours);
  }
  const sorted = [...rows.values()].sort((a, b) => order(a.projectId).localeCompare(order(b.projectId)));
  const dayTotals = days.map((_, i) => sorted.reduce((sum, r) => add(sum, r.cells[i]), 0));
  return { days, rows: sorted, dayTotals, total: dayTotals.reduce(add, 0) };
}

/** "Nov 30 – Dec 6, 2026" */
export function weekLabel(week: Week): string {
  const from = new Date(`${week.from}T00:00:00`);
  const to = new Date(`${week.to}T00:00:00`);
  const start = from.toLocaleDateString(undefined, { month: "short", day: "numeric" });
  const end = to.toLocaleDateString(undefined, { month: "short", day: "numeric", year: "numeric" });
  return `${start} – ${end}`;
}

/** Today if it falls in `week`, else the week's Monday: the natural default day to log time on. */
export function defaultDay(week: Week): string {
  const today = isoDate(new Date());
  return today >= week.from && today <= week.to ? today : week.from;
}
