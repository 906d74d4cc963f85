import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { Role } from "../../api/types";
import { fakeGateway, me, renderView, type Call } from "../../test-utils";
import Alerts from "./Alerts";
import type { AlertRecord } from "./queries";

function alert(over: Partial<AlertRecord>): AlertRecord {
  return {
    id: "a1",
    type: "margin_threshold",
    severity: "critical",
    message: "Website redesign margin fell to 12 % (threshold 20 %)",
    project_id: "p1",
    invoice_id: null,
    is_read: false,
    created_at: new Date(Date.now() - 5 * 60_000).toISOString(),
    ...over,
  };
}

let role: Role;
let alerts: AlertRecord[];
let calls: Call[];

beforeEach(() => {
  role = "manager";
  alerts = [
    alert({}),
    alert({ id: "a2", type: "invoice_overdue", severity: "warning", message: "Invoice INV-0007 is 10 days overdue", project_id: null, invoice_id: "i7", is_read: true }),
  ];
  // Answers like the gateway, and remembers what was marked read.
  calls = fakeGateway({
    "GET /auth/me": () => me(role, { organization: { name: "Acme" } }),
    "GET /alerts": ({ query }) => ({
      alerts: alerts.filter((a) => query.get("unread") !== "true" || !a.is_read),
      unread_count: alerts.filter((a) => !a.is_read).length,
      next_cursor: null,
    }),
    "PATCH /alerts/:id": ({ params, body }) => {
      alerts = alerts.map((a) => (a.id === params.id ? { ...a, ...(body as Partial<AlertRecord>) } : a));
      return alerts.find((a) => a.id === params.id);
    },
    "DELETE /alerts/:id": ({ params }) => {
      alerts = alerts.filter((a) => a.id !== params.id);
    },
    "GET /alerts/subscriptions": { subscriptions: [] },
    "GET /projects": { projects: [], next_cursor: null },
  }).calls;
});

const renderAlerts = () => renderView(<Alerts />, { url: "/alerts" });

const item = (message: string) => screen.findByRole("listitem", { name: message });

describe("Alerts inbox", () => {
  it("marks an alert read with PATCH {is_read: true} and drops its unread style", async () => {
    const user = userEvent.setup();
    renderAlerts();
    const unread = await item("Website redesign margin fell to 12 % (threshold 20 %)");
    expect(unread).toHaveClass("alert-unread");
    expect(within(unread).getByRole("img", { name: "Unread" })).toBeInTheDocument();
    expect(within(unread).getByText("critical")).toHaveClass("tone-bad");
    expect(within(unread).getByText("5 minutes ago")).toBeInTheDocument();
    expect(within(unread).getByRole("link", { name: "Open project" })).toHaveAttribute("href", "/projects/p1");

    await user.click(within(unread).getByRole("button", { name: "Mark read" }));

    const patch = calls.find((c) => c.method === "PATCH")!;
    expect(patch.path).toBe("/alerts/a1");
    expect(patch.body).toEqual({ is_read: true });
    const read = await item("Website redesign margin fell to 12 % (threshold 20 %)");
    await vi.waitFor(() => expect(read).not.toHaveClass("alert-unread"));
    expect(within(read).queryByRole("img", { name: "Unread" })).not.toBeInTheDocument();
    expect(within(read).queryByRole("button", { name: "Mark read" })).not.toBeInTheDocument();
    expect(await screen.findByText("0 unread")).toBeInTheDocument();
  });

  it("links an invoice alert to its invoice and deletes an alert", async () => {
    const user = userEvent.setup();
    renderAlerts();
    const overdue = await item("Invoice INV-0007 is 10 days overdue");
    expect(overdue).not.toHaveClass("alert-unread");
    expect(within(overdue).getByText("warning")).toHaveClass("tone-warn");
    expect(within(overdue).getByRole("link", { name: "Open invoice" })).toHaveAttribute("href", "/invoices/i7");

    await user.click(within(overdue).getByRole("button", { name: "Delete" }));
    expect(calls.some((c) => c.method === "DELETE")).toBe(false); // one tap only asks
    await user.click(within(overdue).getByRole("button", { name: "Yes, delete" }));
    await vi.waitFor(() => expect(screen.queryByRole("listitem", { name: "Invoice INV-0007 is 10 days overdue" })).not.toBeInTheDocument());
    expect(calls.some((c) => c.path === "/alerts/a2" && c.method === "DELETE")).toBe(true);
  });

  it("asks for unread alerts only when the toggle is on", async () => {
    const user = userEvent.setup();
    renderAlerts();
    await item("Invoice INV-0007 is 10 days overdue");
    await user.click(screen.getByLabelText("Unread only"));
    await vi.waitFor(() =>
      expect(screen.queryByRole("listitem", { name: "Invoice INV-0007 is 10 days overdue" })).not.toBeInTheDocument(),
    );
    expect(calls.some((c) => c.path === "/alerts" && c.query.get("unread") === "true")).toBe(true);
  });

  it("keeps subscriptions for managers and up", async () => {
    role = "member";
    renderAlerts();
    await item("Invoice INV-0007 is 10 days overdue");
    expect(screen.queryByRole("region", { name: "Subscriptions" })).not.toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Open invoice" })).not.toBeInTheDocument();
  });
});
