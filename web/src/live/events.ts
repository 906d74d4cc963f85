// Which views an event makes stale: the event's family → the query keys (their first element) to
// fetch again. Every query's key starts with one of these families.

import type { LiveEvent } from "../api/types";

const FAMILIES: [prefix: string, keys: string[]][] = [
  ["task:", ["tasks", "project"]],
  ["sprint:", ["sprints", "tasks"]],
  ["file:", ["files"]],
  ["project:margin-updated", ["project", "projects", "dashboard", "margin-history", "portal"]],
  ["project:forecast-updated", ["forecast", "dashboard"]],
  ["project:", ["projects", "project", "dashboard", "portal"]],
  ["time:entry:", ["time-entries", "timer", "project", "dashboard", "approvals"]],
  ["expense:", ["expenses", "project", "dashboard"]],
  ["invoice:", ["invoices", "invoice", "payments", "dashboard", "time-entries", "portal"]],
  ["alert:", ["alerts"]],
  ["allocation:", ["capacity", "project", "dashboard"]],
  ["resource:", ["capacity", "resources", "dashboard"]],
  ["time_off:", ["capacity"]],
  ["sync:", ["integrations", "sync-logs"]],
  ["integration:", ["integrations", "sync-logs"]],
  ["user:", ["presence"]],
  // A role change may be the reader's own: what they may see changes with it. A member joining
  // has accepted an invitation, which leaves the pending ones.
  ["member:", ["members", "me", "invitations"]],
  ["invitation:", ["invitations"]],
  // Its name, currency and timezone are in /auth/me too; its settings change what a reader sees.
  ["organization:", ["organization", "me", "dashboard", "project", "projects"]],
  ["client:", ["clients", "projects"]],
  ["comment:", ["comments"]],
];

// Presence and typing say who is here, not what changed: the activity feed holds neither.
const NOT_ACTIVITY = ["typing", "user:"];

/** Whether an event is a change the activity feed records (API.md: every state change in the
 * organization appears there), so that an open feed fetches again. */
export function feedsActivity(event: LiveEvent): boolean {
  return !NOT_ACTIVITY.some((p) => event.type === p || (p.endsWith(":") && event.type.startsWith(p)));
}

export function staleKeys(event: LiveEvent): string[] {
  const activity = feedsActivity(event) ? ["activity"] : [];
  for (const [prefix, keys] of FAMILIES) {
    if (event.type === prefix || (prefix.endsWith(":") && event.type.startsWith(prefix))) return [...keys, ...activity];
  }
  return activity;
}
