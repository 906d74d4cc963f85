import type { ProjectStatus, TaskStatus } from "../../api/types";

const PROJECT_STATUS: Record<ProjectStatus, [label: string, tone: string]> = {
  planning: ["Planning", "info"],
  active: ["In progress", "good"],
  on_hold: ["On hold", "warn"],
  completed: ["Completed", "none"],
  archived: ["Archived", "none"],
};

export function projectStatus(status: ProjectStatus): { label: string; tone: string } {
  const [label, tone] = PROJECT_STATUS[status] ?? [status, "none"];
  return { label, tone };
}

/** Task groups in the order a client reads progress: what moves now, what is next, what is done. */
export const TASK_GROUPS: [TaskStatus, string][] = [
  ["in_progress", "In progress"],
  ["in_review", "In review"],
  ["todo", "To do"],
  ["backlog", "Backlog"],
  ["done", "Done"],
  ["cancelled", "Cancelled"],
];
