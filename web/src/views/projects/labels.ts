// How the project views name and colour the API's enumerations.

import type { ProjectStatus, Sprint, TaskStatus, Trend } from "../../api/types";

export const PROJECT_STATUSES: ProjectStatus[] = ["planning", "active", "on_hold", "completed", "archived"];

export const PROJECT_STATUS_LABEL: Record<ProjectStatus, string> = {
  planning: "Planning",
  active: "Active",
  on_hold: "On hold",
  completed: "Completed",
  archived: "Archived",
};

export const PROJECT_STATUS_TONE: Record<ProjectStatus, string> = {
  planning: "info",
  active: "good",
  on_hold: "warn",
  completed: "none",
  archived: "none",
};

export type BudgetType = "fixed_fee" | "time_and_materials" | "retainer" | "non_billable";

export const BUDGET_TYPE_LABEL: Record<BudgetType, string> = {
  fixed_fee: "Fixed fee",
  time_and_materials: "Time and materials",
  retainer: "Retainer",
  non_billable: "Non-billable",
};

export function budgetTypeLabel(type: string): string {
  return BUDGET_TYPE_LABEL[type as BudgetType] ?? type;
}

/** The board's columns, in the order work flows; `cancelled` has no column. */
export const BOARD_COLUMNS: TaskStatus[] = ["backlog", "todo", "in_progress", "in_review", "done"];

export const TASK_STATUSES: TaskStatus[] = [...BOARD_COLUMNS, "cancelled"];

export const TASK_STATUS_LABEL: Record<TaskStatus, string> = {
  backlog: "Backlog",
  todo: "To do",
  in_progress: "In progress",
  in_review: "In review",
  done: "Done",
  cancelled: "Cancelled",
};

export const TASK_TYPES = ["feature", "bug", "chore", "design", "research"] as const;
export const PRIORITIES = ["low", "medium", "high", "urgent"] as const;

export const PRIORITY_TONE: Record<string, string> = {
  low: "none",
  medium: "info",
  high: "warn",
  urgent: "bad",
};

export const SPRINT_STATUS_LABEL: Record<Sprint["status"], string> = {
  planning: "Planning",
  active: "Active",
  completed: "Completed",
};

export const SPRINT_STATUS_TONE: Record<Sprint["status"], string> = {
  planning: "info",
  active: "good",
  completed: "none",
};

export const TREND_LABEL: Record<Trend, string> = {
  up: "Improving",
  down: "Declining",
  stable: "Stable",
};

export const TREND_ICON: Record<Trend, string> = { up: "↗", down: "↘", stable: "→" };

export function capitalize(word: string): string {
  return word ? word[0].toUpperCase() + word.slice(1).replace(/_/g, " ") : word;
}

/** Budget burn as a colour: fine until 90 %, a warning up to 100 %, bad beyond. */
export function budgetTone(usedPercent: string | number | null | undefined): "good" | "warn" | "bad" | "none" {
  if (usedPercent === null || usedPercent === undefined) return "none";
  const n = Number(usedPercent);
  if (!Number.isFinite(n)) return "none";
  return n > 100 ? "bad" : n >= 90 ? "warn" : "good";
}
