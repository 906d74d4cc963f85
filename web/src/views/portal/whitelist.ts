// What a client may see, field by field. The gateway already hides internal fields from a
// client reader; these picks make sure that whatever else an answer carries (a cost rate, a
// margin, a note) never reaches the cache or the screen.

import type { InvoiceStatus, ProjectStatus, TaskStatus } from "../../api/types";

export interface PortalProject {
  id: string;
  name: string;
  status: ProjectStatus;
  start_date: string | null;
  end_date: string | null;
}

export interface PortalTask {
  id: string;
  title: string;
  status: TaskStatus;
  due_date: string | null;
}

export interface PortalInvoice {
  id: string;
  number: string | null;
  status: InvoiceStatus;
  currency: string;
  issue_date: string | null;
  due_date: string | null;
  total: string;
  amount_due: string;
  payment_url: string | null;
}

type Raw = Record<string, unknown>;

const text = (v: unknown): string | null => (typeof v === "string" ? v : null);

export function portalProject(p: Raw): PortalProject {
  return {
    id: String(p.id),
    name: String(p.name ?? ""),
    status: p.status as ProjectStatus,
    start_date: text(p.start_date),
    end_date: text(p.end_date),
  };
}

export function portalTask(t: Raw): PortalTask {
  return {
    id: String(t.id),
    title: String(t.title ?? ""),
    status: t.status as TaskStatus,
    due_date: text(t.due_date),
  };
}

/** A payment link is followed only if it is a web address (never `javascript:`). */
function safeUrl(v: unknown): string | null {
  const s = text(v);
  if (!s) return null;
  try {
    const u = new URL(s);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
  } catch {
    return null;
  }
}

export function portalInvoice(i: Raw): PortalInvoice {
  return {
    id: String(i.id),
    number: text(i.number),
    status: i.status as InvoiceStatus,
    currency: String(i.currency ?? "USD"),
    issue_date: text(i.issue_date),
    due_date: text(i.due_date),
    total: String(i.total ?? ""),
    amount_due: String(i.amount_due ?? ""),
    payment_url: safeUrl(i.payment_url),
  };
}
