// How the activity views name the feed's entity types.

/** The entity types a reader filters by (the first word of an action: `entry.created`), the
 * common ones first. */
export const ENTITY_TYPES: [type: string, label: string][] = [
  ["project", "Projects"],
  ["task", "Tasks"],
  ["entry", "Time entries"],
  ["expense", "Expenses"],
  ["invoice", "Invoices"],
  ["sprint", "Sprints"],
  ["comment", "Comments"],
  ["file", "Files"],
  ["client", "Clients"],
  ["member", "People"],
  ["resource", "Team"],
  ["allocation", "Allocations"],
];

export const ENTITY_TYPE_LABEL: Record<string, string> = Object.fromEntries(ENTITY_TYPES);

/** Events no one caused by hand: the margin and forecast worked out again after each change.
 * The feed hides them unless asked, so what people did is not lost among them. */
export const AUTOMATIC_ACTIONS = new Set(["project.margin_updated", "project.forecast_updated"]);
