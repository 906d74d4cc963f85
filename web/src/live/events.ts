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

export function staleKeys(event: LiveEvent): string[] {
  for (const [prefix, keys] of FAMILIES) {
    if (event.type === prefix || (prefix.endsWith(":") && event.type.startsWith(prefix))) return keys;
  }
  return [];
}
