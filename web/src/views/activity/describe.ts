// An activity entry as a sentence a person reads ("Ana logged 2 h on Website", "Task Hero moved
// to Done"), from its action and the payload the feed gives this reader. Pure: names come in.
// A field the reader may not see is absent from the payload, so the sentence leaves it out.

import { hours, money, percent, shortDate } from "../../api/format";
import type { ProjectStatus, Role, TaskStatus } from "../../api/types";
import { ROLE_LABEL } from "../organization/model";
import { PROJECT_STATUS_LABEL, TASK_STATUS_LABEL } from "../projects/labels";
import { expenseCategoryLabel } from "../time/labels";
import type { ActivityRecord } from "./queries";

/** Plain text, or a name: emphasised, and a link when it has somewhere to go. */
export type Part = string | { text: string; to?: string };

export interface Sentence {
  parts: Part[];
  /** The sentence says who did it (or who did it is beside the point); otherwise the list says
   * "by …" beside it. */
  byActor: boolean;
  /** Words someone wrote (a comment, a reason), shown under the sentence. */
  quote?: string;
}

export interface Names {
  person: (userId: string | null | undefined) => string | undefined;
  project: (projectId: string | null | undefined) => string | undefined;
  /** Invoices open for manager and up: a link to one is for them only. */
  canSeeInvoices: boolean;
}

type Json = Record<string, unknown>;

const rec = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** "api_key.created" → "API key created": what an action says when no sentence knows it. */
export function actionWords(action: string): string {
  const words = action.replace(/[._:-]+/g, " ").trim().replace(/\bapi\b/gi, "API");
  return words ? words[0].toUpperCase() + words.slice(1) : "Something changed";
}

function short(text: string, max = 160): string {
  const t = text.trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export function describe(a: ActivityRecord, names: Names): Sentence {
  const m = a.metadata ?? {};
  const actorName = names.person(a.user_id) ?? (a.user_id ? "Someone" : undefined);
  const actor: Part = { text: actorName ?? "Someone" };

  // The envelope's project, else one the payload names: at its top, or in the object it carries
  // (an allocation's).
  const projectId =
    a.project_id ?? (str(m.project_id) || str(rec(m.project).id) || str(rec(m[a.entity_type]).project_id) || null);
  const project = (): Part => {
    const name = names.project(projectId) ?? (str(rec(m.project).name) || undefined);
    if (!projectId) return { text: name ?? "a project" };
    return { text: name ?? "a project", to: `/projects/${projectId}` };
  };
  const task = (t: Json): Part => {
    const title = str(t.title) || "a task";
    const id = str(t.id);
    const pid = str(t.project_id) || projectId;
    return pid && id ? { text: title, to: `/projects/${pid}/board?task=${id}` } : { text: title };
  };
  const invoice = (inv: Json): Part => {
    const text = str(inv.number) || "a draft invoice";
    const id = str(inv.id) || a.entity_id;
    return names.canSeeInvoices && id ? { text, to: `/invoices/${id}` } : { text };
  };
  const by = (...parts: Part[]): Sentence => ({ parts: [actor, ...parts], byActor: true });
  const state = (...parts: Part[]): Sentence => ({ parts, byActor: false });

  switch (a.action) {
    case "project.created":
      return by(" created project ", project());
    case "project.updated":
      return by(" updated project ", project());
    case "project.status_changed": {
      const status = str(m.new_status) as ProjectStatus;
      return state("Project ", project(), " moved to ", { text: PROJECT_STATUS_LABEL[status] ?? status });
    }
    case "project.archived":
      return by(" archived project ", project());
    case "project.margin_updated": {
      const margin = rec(m.margin);
      return margin.margin_percent !== undefined
        ? state(project(), "'s margin is now ", { text: percent(str(margin.margin_percent)) })
        : state(project(), "'s margin was worked out again");
    }
    case "project.forecast_updated": {
      const forecast = rec(m.forecast);
      return forecast.forecast_margin !== undefined
        ? state("New forecast for ", project(), ": ", { text: percent(str(forecast.forecast_margin)) }, " margin at completion")
        : state("New forecast for ", project());
    }

    case "task.created":
      return by(" added task ", task(rec(m.task)), " to ", project());
    case "task.updated": {
      const t = rec(m.task);
      const changed = list(m.changed_fields);
      if (changed.includes("status") && t.status) {
        const status = str(t.status) as TaskStatus;
        return state("Task ", task(t), " moved to ", { text: TASK_STATUS_LABEL[status] ?? status });
      }
      if (changed.includes("assignee_id") && t.assignee_id) {
        return by(" assigned task ", task(t), " to ", { text: names.person(str(t.assignee_id)) ?? "someone" });
      }
      return by(" updated task ", task(t));
    }
    case "task.deleted":
      return by(" deleted task ", { text: str(m.title) || "a task" }, " from ", project());

    case "sprint.created":
      return by(" planned sprint ", { text: str(rec(m.sprint).name) || "a sprint" }, " on ", project());
    case "sprint.updated": {
      const sprint = rec(m.sprint);
      const name: Part = { text: str(sprint.name) || "a sprint" };
      if (list(m.changed_fields).includes("status")) {
        if (sprint.status === "active") return state("Sprint ", name, " started on ", project());
        if (sprint.status === "completed") return state("Sprint ", name, " ended on ", project());
      }
      return by(" updated sprint ", name);
    }

    case "comment.created": {
      const comment = rec(m.comment);
      const target = task({ id: comment.task_id, project_id: comment.project_id, title: "a task" });
      return { ...by(" commented on ", target, " in ", project()), quote: short(str(comment.body)) || undefined };
    }
    case "comment.updated":
      return by(" edited a comment in ", project());
    case "comment.deleted":
      return by(" deleted a comment");

    case "file.uploaded": {
      const file = rec(m.file);
      const version = Number(file.version);
      return by(" uploaded ", { text: str(file.name) || "a file" }, version > 1 ? ` (version ${version})` : "", " to ", project());
    }

    case "entry.created":
      return by(" logged ", { text: hours(str(m.hours)) }, " on ", project());
    case "entry.updated":
      return by(" changed a time entry on ", project(), m.hours ? ` (now ${hours(str(m.hours))})` : "");
    case "entry.deleted":
      return by(" deleted ", { text: hours(str(m.hours)) }, " on ", project());
    case "entry.started":
      return by(" started a timer on ", project());
    case "entry.stopped":
      return by(" stopped the timer on ", project(), m.hours ? ` after ${hours(str(m.hours))}` : "");
    case "entry.submitted":
      return by(" submitted ", { text: hours(str(m.hours)) }, " on ", project(), " for approval");
    case "entry.approved":
      return by(" approved ", { text: hours(str(m.hours)) }, " on ", project());
    case "entry.rejected":
      return { ...by(" sent back ", { text: hours(str(m.hours)) }, " on ", project()), quote: str(m.reason) || undefined };
    case "entry.reopened":
      return { ...by(" reopened ", { text: hours(str(m.hours)) }, " on ", project()), quote: str(m.reason) || undefined };
    case "entry.invoiced":
      return state({ text: hours(str(m.hours)) }, " on ", project(), " invoiced");
    case "entry.reserved":
      return state({ text: hours(str(m.hours)) }, " on ", project(), " put on a draft invoice");
    case "entry.released":
      return state({ text: hours(str(m.hours)) }, " on ", project(), " back to unbilled");
    case "entry.imported": {
      const count = list(m.entry_ids).length;
      return by(" imported ", { text: `${count} time ${count === 1 ? "entry" : "entries"}` });
    }

    case "expense.recorded":
    case "expense.updated":
    case "expense.deleted":
    case "expense.reserved":
    case "expense.released": {
      const expense = rec(m.expense);
      const amount: Part = { text: money(str(m.amount) || str(expense.amount), str(m.currency) || str(expense.currency) || undefined) };
      const category = str(m.category) || str(expense.category);
      const what = category ? ` (${expenseCategoryLabel(category).toLowerCase()})` : "";
      if (a.action === "expense.recorded") return by(" recorded an expense of ", amount, what, " on ", project());
      if (a.action === "expense.updated") return by(" changed an expense of ", amount, " on ", project());
      if (a.action === "expense.reserved") return state("An expense of ", amount, " on ", project(), " put on a draft invoice");
      if (a.action === "expense.released") return state("An expense of ", amount, " on ", project(), " back to unbilled");
      return by(" deleted an expense of ", amount, " on ", project());
    }

    case "invoice.created":
      return by(" drafted an invoice", projectId ? " for " : "", ...(projectId ? [project()] : []));
    case "invoice.updated":
      return by(" edited ", invoice(rec(m.invoice)));
    case "invoice.deleted":
      return by(" deleted a draft invoice");
    case "invoice.issued": {
      const inv = rec(m.invoice);
      return state("Invoice ", invoice(inv), " sent", inv.total ? ` for ${money(str(inv.total), str(inv.currency) || undefined)}` : "");
    }
    case "invoice.paid":
      return state("Invoice ", invoice(rec(m.invoice)), " paid in full");
    case "invoice.payment_recorded": {
      const inv = rec(m.invoice);
      const payment = rec(m.payment);
      return by(" recorded a payment of ", { text: money(str(payment.amount), str(inv.currency) || undefined) }, " on invoice ", invoice(inv));
    }
    case "invoice.voided":
      return state("Invoice ", invoice(rec(m.invoice)), " voided");
    case "invoice.overdue":
      return state("Invoice ", invoice(rec(m.invoice)), " is overdue");

    case "client.created":
      return by(" added client ", { text: str(rec(m.client).name) || "a client" });
    case "client.updated":
      return by(" updated client ", { text: str(rec(m.client).name) || "a client" });
    case "client.archived":
      return by(" archived client ", { text: str(rec(m.client).name) || "a client" });

    case "member.joined": {
      const user = rec(rec(m.member).user);
      const name = names.person(str(user.id)) ?? (([str(user.first_name), str(user.last_name)].filter(Boolean).join(" ") || str(user.email)) || "Someone");
      return { parts: [{ text: name }, " joined the organization"], byActor: true };
    }
    case "member.role_changed": {
      const role = str(m.new_role) as Role;
      return by(" changed the role of ", { text: names.person(str(m.user_id)) ?? "someone" }, " to ", { text: ROLE_LABEL[role] ?? role });
    }
    case "member.removed":
      return by(" removed ", { text: names.person(str(m.user_id)) ?? (str(m.email) || "someone") }, " from the organization");
    case "invitation.created": {
      const inv = rec(m.invitation);
      const role = str(inv.role) as Role;
      return by(" invited ", { text: str(inv.email) || "someone" }, role ? ` as ${(ROLE_LABEL[role] ?? role).toLowerCase()}` : "");
    }
    case "organization.created":
      return by(" created the organization ", { text: str(rec(m.organization).name) || "" });
    case "organization.updated":
      return by(" changed the organization's settings");

    case "resource.created":
      return by(" added ", { text: str(rec(m.resource).name) || "someone" }, " to the team");
    case "resource.updated":
      return by(" updated ", { text: str(rec(m.resource).name) || "a person" }, " in the team");
    case "resource.over_allocated":
      return { parts: [{ text: str(m.name) || "Someone" }, " is over-allocated in the week of ", shortDate(str(m.week_start))], byActor: true };
    case "resource.over_allocation_resolved":
      return { parts: [{ text: str(m.name) || "Someone" }, " is no longer over-allocated in the week of ", shortDate(str(m.week_start))], byActor: true };
    case "allocation.changed": {
      const allocation = rec(m.allocation);
      const change = str(m.change);
      if (change === "deleted") return by(" removed an allocation from ", project());
      const perWeek: Part = { text: `${hours(str(allocation.allocated_hours))} a week` };
      return by(change === "updated" ? " changed an allocation to " : " allocated ", perWeek, " to ", project());
    }

    case "alert.raised":
      return state("Alert: ", str(rec(m.alert).message) || "something needs a look");

    case "github.pull_request": {
      const verbText = m.merged ? "merged" : str(m.action) || "updated";
      return state("Pull request ", { text: `#${str(m.number)} ${str(m.title)}`.trim() }, ` ${verbText} on GitHub`);
    }
    case "github.push": {
      const count = list(m.commits).length;
      return state(`${count} ${count === 1 ? "commit" : "commits"} pushed to `, { text: str(m.repository) || "GitHub" });
    }
    case "github.review":
      return state("Review of pull request ", { text: `#${str(m.pull_request_number)}` }, ` on GitHub: ${actionWords(str(m.state) || "submitted").toLowerCase()}`);
  }

  // An action with no sentence of its own: what the action itself says, and who did it.
  const words = actionWords(a.action);
  return actorName ? by(": ", words) : state(words);
}
