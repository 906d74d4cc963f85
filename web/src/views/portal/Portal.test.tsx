import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { fakeGateway, renderView } from "../../test-utils";
import { invoice } from "../invoices/fixtures";
import Portal from "./Portal";

const ME = {
  user: { id: "u9", email: "cleo@acme.test", first_name: "Cleo" },
  organization: { id: "o1", name: "Northwind Studio", currency: "USD", timezone: "UTC" },
  role: "client",
  client_id: "c1",
};

// Answers carrying fields a client must never see, as if the gateway had let them through.
const LEAKY_PROJECT = {
  id: "p1", name: "Website", client_id: "c1", status: "active", start_date: "2026-01-01", end_date: "2026-12-31",
  description: "INTERNAL NOTE: client is slow to pay", budget_total: "10000.00", billing_rate_override: "175.00",
  cost_rate: "85.00", margin: { margin_percent: "41.5", margin_dollar: "4150.00", cost: "5850.00", revenue: "10000.00" },
};
const LEAKY_TASKS = [
  { id: "t1", project_id: "p1", title: "Homepage", status: "done", cost_rate: "85.00", description: "INTERNAL NOTE: redo" },
  { id: "t2", project_id: "p1", title: "About page", status: "in_progress", margin: "12.5" },
  { id: "t3", project_id: "p1", title: "Contact form", status: "todo" },
  { id: "t4", project_id: "p1", title: "Old idea", status: "cancelled" },
];
const LEAKY_INVOICE = invoice({
  status: "sent", amount_due: "933.90", total: "933.90", due_date: "2027-01-01",
  payment_url: "https://pay.example/i1", notes: "INTERNAL NOTE: chase", cost_rate: "85.00", margin: "41.5",
});

function gateway() {
  const draft = invoice({ id: "i9", number: null, status: "draft", total: "1.00" });
  return fakeGateway({
    "GET /auth/me": ME,
    "GET /projects": { projects: [LEAKY_PROJECT], next_cursor: null },
    "GET /projects/p1": LEAKY_PROJECT,
    "GET /projects/p1/tasks": { tasks: LEAKY_TASKS, next_cursor: null },
    "GET /invoices": { invoices: [LEAKY_INVOICE, draft], next_cursor: null },
  });
}

function expectNothingInternal() {
  const text = document.body.textContent ?? "";
  for (const secret of ["85.00", "85", "41.5", "4,150", "5,850", "175", "10,000", "INTERNAL NOTE", "cost", "margin"]) {
    expect(text).not.toContain(secret);
  }
}

describe("Portal", () => {
  it("greets the client by organization and lists only whitelisted project and invoice fields", async () => {
    gateway();
    renderView(<Portal />, { url: "/portal", route: "/portal/*" });

    expect(await screen.findByRole("heading", { name: "Hello, Cleo" })).toBeInTheDocument();
    expect(screen.getByText("Northwind Studio")).toBeInTheDocument();
    const projects = screen.getByRole("region", { name: "Your projects" });
    expect(await within(projects).findByRole("link", { name: /Website/ })).toHaveAttribute("href", "/portal/projects/p1");

    const invoices = screen.getByRole("region", { name: "Your invoices" });
    expect(await within(invoices).findByText("INV-0001")).toBeInTheDocument();
    expect(within(invoices).getAllByText("$933.90")).not.toHaveLength(0);
    expect(within(invoices).getByRole("link", { name: "Pay INV-0001 online" })).toHaveAttribute("href", "https://pay.example/i1");
    expect(within(invoices).getByRole("button", { name: "Download PDF of INV-0001" })).toBeInTheDocument();
    expect(within(invoices).queryByText("Draft")).not.toBeInTheDocument();

    expectNothingInternal();
  });

  it("shows a project's progress by status without internal fields", async () => {
    gateway();
    renderView(<Portal />, { url: "/portal/projects/p1", route: "/portal/*" });

    expect(await screen.findByRole("heading", { name: "Website" })).toBeInTheDocument();
    const bar = await screen.findByRole("progressbar", { name: "Tasks done" });
    expect(bar).toHaveAttribute("aria-valuenow", "1");
    expect(bar).toHaveAttribute("aria-valuemax", "3");
    expect(screen.getByText("1 of 3 tasks done")).toBeInTheDocument();
    expect(within(screen.getByRole("region", { name: "In progress (1)" })).getByText("About page")).toBeInTheDocument();
    expect(within(screen.getByRole("region", { name: "Done (1)" })).getByText("Homepage")).toBeInTheDocument();

    expectNothingInternal();
  });
});
