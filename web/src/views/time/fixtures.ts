// Gateway answers for the time views' tests.

import type { Entry } from "./queries";

export const ME = "11111111-1111-4111-8111-111111111111";
export const WEBSITE = "22222222-2222-4222-8222-222222222222";

export function entry(overrides: Partial<Entry>): Entry {
  return {
    id: crypto.randomUUID(),
    project_id: WEBSITE,
    task_id: null,
    user_id: ME,
    resource_id: null,
    date_worked: "2026-12-01",
    hours: 1,
    rounded_hours: 1,
    started_at: null,
    ended_at: null,
    is_running: false,
    billable: true,
    billable_rate: null,
    currency: "USD",
    notes: "",
    status: "draft",
    is_locked: false,
    locked_reason: null,
    invoice_id: null,
    source: "manual",
    ...overrides,
  };
}
