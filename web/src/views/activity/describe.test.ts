import { describe as group, expect, it } from "vitest";

import { actionWords, describe, type Names, type Part } from "./describe";
import type { ActivityRecord } from "./queries";

const ANA = "u-ana";
const WEBSITE = "p-web";

const names: Names = {
  person: (id) => (id === ANA ? "Ana Lima" : undefined),
  project: (id) => (id === WEBSITE ? "Website" : undefined),
  canSeeInvoices: true,
};

function entry(action: string, metadata: Record<string, unknown> = {}, over: Partial<ActivityRecord> = {}): ActivityRecord {
  return {
    id: crypto.randomUUID(),
    action,
    entity_type: action.split(".")[0],
    entity_id: "x-1",
    project_id: WEBSITE,
    user_id: ANA,
    metadata,
    created_at: "2026-12-02T09:55:00Z",
    ...over,
  };
}

const text = (parts: Part[]) => parts.map((p) => (typeof p === "string" ? p : p.text)).join("");
const links = (parts: Part[]) => parts.flatMap((p) => (typeof p !== "string" && p.to ? [[p.text, p.to]] : []));

group("activity sentences", () => {
  it("says who logged how long on which project, the project a link", () => {
    const s = describe(entry("entry.created", { hours: "2.00", project_id: WEBSITE }), names);
    expect(text(s.parts)).toBe("Ana Lima logged 2 h on Website");
    expect(s.byActor).toBe(true);
    expect(links(s.parts)).toEqual([["Website", `/projects/${WEBSITE}`]]);
  });

  it("says where a task moved, linking the task on its board", () => {
    const s = describe(entry("task.updated", {
      task: { id: "t-1", project_id: WEBSITE, title: "Hero", status: "done" },
      changed_fields: ["position", "status"],
    }), names);
    expect(text(s.parts)).toBe("Task Hero moved to Done");
    expect(s.byActor).toBe(false); // the list says "by Ana Lima" beside it
    expect(links(s.parts)).toEqual([["Hero", `/projects/${WEBSITE}/board?task=t-1`]]);
  });

  it("tells a task edit from a move, and names an expense with its money and category", () => {
    expect(text(describe(entry("task.updated", { task: { id: "t-1", title: "Hero" }, changed_fields: ["title"] }), names).parts))
      .toBe("Ana Lima updated task Hero");
    expect(text(describe(entry("expense.recorded", { amount: "45.00", currency: "USD", category: "software" }), names).parts))
      .toBe("Ana Lima recorded an expense of $45.00 (software) on Website");
  });

  it("names an issued invoice by number, linked only for readers who may open invoices", () => {
    const issued = entry("invoice.issued", { invoice: { id: "i-1", number: "INV-0001", total: "450.00", currency: "USD" } });
    expect(text(describe(issued, names).parts)).toBe("Invoice INV-0001 sent for $450.00");
    expect(links(describe(issued, names).parts)).toEqual([["INV-0001", "/invoices/i-1"]]);
    expect(links(describe(issued, { ...names, canSeeInvoices: false }).parts)).toEqual([]);
  });

  it("leaves out what the reader may not see: a margin without its figure", () => {
    expect(text(describe(entry("project.margin_updated", { margin: { margin_percent: "33.33" } }), names).parts))
      .toBe("Website's margin is now 33.3 %");
    expect(text(describe(entry("project.margin_updated", { margin: {} }), names).parts))
      .toBe("Website's margin was worked out again");
  });

  it("quotes what someone wrote: a comment, a reason", () => {
    const s = describe(entry("comment.created", { comment: { task_id: "t-1", project_id: WEBSITE, body: "Needs a bigger banner" } }), names);
    expect(text(s.parts)).toBe("Ana Lima commented on a task in Website");
    expect(s.quote).toBe("Needs a bigger banner");
  });

  it("says what invoicing does to time, and finds an allocation's project inside it", () => {
    expect(text(describe(entry("entry.reserved", { hours: "4.50" }), names).parts)).toBe("4.5 h on Website put on a draft invoice");
    const allocated = entry("allocation.changed", { change: "created", allocation: { project_id: WEBSITE, allocated_hours: "44.00" } }, { project_id: null });
    expect(text(describe(allocated, names).parts)).toBe("Ana Lima allocated 44 h a week to Website");
  });

  it("names who joined without a by-line, and an over-allocation with its week", () => {
    const joined = describe(entry("member.joined", { member: { user: { id: ANA } } }), names);
    expect([text(joined.parts), joined.byActor]).toEqual(["Ana Lima joined the organization", true]);
    expect(text(describe(entry("resource.over_allocated", { name: "Bo", week_start: "2026-12-21" }), names).parts))
      .toBe("Bo is over-allocated in the week of Dec 21, 2026");
  });

  it("falls back to the action's own words for an action it has no sentence for", () => {
    expect(text(describe(entry("api_key.created"), names).parts)).toBe("Ana Lima: API key created");
    expect(text(describe(entry("holiday.created", {}, { user_id: null }), names).parts)).toBe("Holiday created");
    expect(actionWords("github.deployed")).toBe("Github deployed");
  });

  it("calls a person it cannot name someone, and a project it cannot name a project", () => {
    const s = describe(entry("entry.started", {}, { user_id: "u-gone", project_id: "p-other" }), names);
    expect(text(s.parts)).toBe("Someone started a timer on a project");
    expect(links(s.parts)).toEqual([["a project", "/projects/p-other"]]);
  });
});
