// The capacity overview (weeks × people) turned around into what the heatmap draws: people ×
// weeks, each cell with its confirmed utilization and its tone. Tentative hours ride along but
// never count in the utilization or the tone.

import type { CapacityWeek } from "../../api/types";

export type Load = "none" | "low" | "ok" | "full" | "over";

export interface Cell {
  weekStart: string;
  available: number;
  allocated: number;
  tentative: number;
  /** Confirmed hours over available hours, in percent; null when nothing is available or asked. */
  utilization: number | null;
  load: Load;
}

export interface PersonRow {
  resourceId: string;
  name: string;
  /** One per week of the period, in order; null where the person is not in that week's answer. */
  cells: (Cell | null)[];
}

export interface Heatmap {
  weeks: string[];
  people: PersonRow[];
  totals: Cell[];
}

export function loadOf(allocated: number, available: number): Load {
  if (available <= 0) return allocated > 0 ? "over" : "none";
  const u = (allocated / available) * 100;
  if (u > 100) return "over";
  if (u >= 85) return "full";
  if (u >= 50) return "ok";
  return "low";
}

export function cellOf(weekStart: string, available: number, allocated: number, tentative: number): Cell {
  return {
    weekStart,
    available,
    allocated,
    tentative,
    utilization: available > 0 ? (allocated / available) * 100 : null,
    load: loadOf(allocated, available),
  };
}

export function buildHeatmap(weeks: CapacityWeek[]): Heatmap {
  const people = new Map<string, PersonRow>();
  weeks.forEach((week, i) => {
    for (const line of week.by_resource) {
      let row = people.get(line.resource_id);
      if (!row) {
        row = { resourceId: line.resource_id, name: line.name, cells: weeks.map(() => null) };
        people.set(line.resource_id, row);
      }
      row.cells[i] = cellOf(week.week_start, line.available_hours, line.allocated_hours, line.tentative_hours);
    }
  });
  return {
    weeks: weeks.map((w) => w.week_start),
    people: [...people.values()].sort((a, b) => a.name.localeCompare(b.name)),
    totals: weeks.map((w) =>
      cellOf(w.week_start, w.total_available_hours, w.total_allocated_hours, w.total_tentative_hours),
    ),
  };
}

/** How many people are given more than they have in at least one week of the period. */
export function overAllocatedPeople(map: Heatmap): PersonRow[] {
  return map.people.filter((p) => p.cells.some((c) => c?.load === "over"));
}

/** "Dec 7" for a week starting on 2026-12-07. */
export function weekLabel(weekStart: string): string {
  return new Date(`${weekStart}T00:00:00`).toLocaleDateString(undefined, { month: "short", day: "numeric" });
}

const LOAD_WORDS: Record<Load, string> = {
  none: "no hours available",
  low: "under half booked",
  ok: "well booked",
  full: "fully booked",
  over: "over-allocated",
};

export function loadWords(load: Load): string {
  return LOAD_WORDS[load];
}

function h(n: number): string {
  return String(Number(n.toFixed(2)));
}

/** What a screen reader hears for a cell: "Ana, week of Dec 7: 46 of 40 h allocated, over-allocated". */
export function cellLabel(who: string, cell: Cell): string {
  const tentative = cell.tentative > 0 ? `, ${h(cell.tentative)} h tentative` : "";
  return `${who}, week of ${weekLabel(cell.weekStart)}: ${h(cell.allocated)} of ${h(cell.available)} h allocated, ${loadWords(cell.load)}${tentative}`;
}
