import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { Role } from "../../api/types";
import { fakeGateway, me, problem, renderView, type Answer, type Call, type RouteTable } from "../../test-utils";
import { ME, WEBSITE } from "./fixtures";
import type { Expense } from "./queries";
import TimePage from "./TimePage";

const REBRAND = "33333333-3333-4333-8333-333333333333";
const BO = "55555555-5555-4555-8555-555555555555";

function expense(over: Partial<Expense>): Expense {
  return {
    id: crypto.randomUUID(), project_id: WEBSITE, user_id: ME, description: "Figma seat", amount: "45.00",
    currency: "USD", expense_date: "2026-12-01", category: "software", billable: true, invoice_id: null, ...over,
  };
}

let expenses: Expense[];

function gateway(role: Role, extra: RouteTable = {}) {
  return fakeGateway({
    "GET /auth/me": me(role, { user: { id: ME }, organization: { currency: "EUR" } }),
    "GET /timers/current": problem(404),
    "GET /projects": {
      projects: [
        { id: REBRAND, name: "Rebrand", status: "planning", budget_currency: "GBP" },
        { id: WEBSITE, name: "Website", status: "active", budget_currency: "USD" },
        { id: "p-old", name: "Old site", status: "archived", budget_currency: "USD" },
      ],
      next_cursor: null,
    },
    "GET /projects/:id/expenses": ({ params }) => ({ expenses: expenses.filter((x) => x.project_id === params.id), next_cursor: null }),
    "GET /organizations/current/members": {
      members: [{ user: { id: BO, email: "bo@studio.test", first_name: "Bo", last_name: "Berg" }, role: "member" }],
      next_cursor: null,
    },
    ...extra,
  });
}

const open = (url = "/time/expenses") => renderView(<TimePage />, { url, route: "/time/*" });
const addForm = () => screen.findByRole("form", { name: "Add expense" });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-12-02T10:00:00"));
  expenses = [];
});
afterEach(() => vi.useRealTimers());

describe("Expenses", () => {
  it("opens on the first active project and lists its expenses; a manager sees whose each is", async () => {
    expenses = [expense({ description: "Figma seat" }), expense({ description: "Train to Lyon", user_id: BO, category: "travel", amount: "120.50", invoice_id: "i-1" })];
    const gw = gateway("manager");
    open();

    const table = await screen.findByRole("table");
    const train = within(table).getByRole("cell", { name: "Train to Lyon" }).closest("tr")!;
    expect(within(train).getByText("$120.50")).toBeInTheDocument();
    expect(within(train).getByText("Travel")).toBeInTheDocument();
    expect(within(train).getByText("Bo Berg")).toBeInTheDocument();
    expect(within(train).getByText("invoiced")).toBeInTheDocument();
    // An invoiced expense cannot change: no Edit (Delete stays, for the gateway to say why not).
    expect(within(train).queryByRole("button", { name: /^Edit/ })).not.toBeInTheDocument();
    expect(within(table).getByRole("cell", { name: "Figma seat" }).closest("tr")).toHaveTextContent("You");
    expect(screen.getByRole("heading", { name: "Expenses on Website" })).toBeInTheDocument();
    expect(gw.to(`GET /projects/${WEBSITE}/expenses`)).toHaveLength(1);
    // Archived projects take no expenses, so they are not offered.
    expect(within(screen.getByLabelText("Project")).queryByRole("option", { name: "Old site" })).not.toBeInTheDocument();
  });

  it("adds an expense with the amount as a decimal string, its currency, date, category and billable", async () => {
    let posted: Call | undefined;
    gateway("member", {
      [`POST /projects/${REBRAND}/expenses`]: (call: Call): Answer => {
        posted = call;
        const saved = expense({ ...(call.body as object), project_id: REBRAND });
        expenses.push(saved);
        return saved;
      },
    });
    const user = userEvent.setup();
    open(`/time/expenses?project=${REBRAND}`);

    const form = await addForm();
    // The project's currency is the default.
    await waitFor(() => expect(within(form).getByLabelText(/^Currency/)).toHaveValue("GBP"));
    await user.type(within(form).getByLabelText("Description"), "  Stock photos ");
    await user.type(within(form).getByLabelText("Amount"), "89,90");
    await user.clear(within(form).getByLabelText("Date"));
    await user.type(within(form).getByLabelText("Date"), "2026-11-28");
    await user.selectOptions(within(form).getByLabelText("Category"), "Software");
    await user.click(within(form).getByLabelText("Billable to the client"));
    await user.click(within(form).getByRole("button", { name: "Add expense" }));

    await waitFor(() => expect(posted).toBeDefined());
    expect(posted!.body).toEqual({
      description: "Stock photos", amount: "89.90", currency: "GBP", expense_date: "2026-11-28", category: "software", billable: false,
    });
    expect(posted!.headers.get("Idempotency-Key")).toBeTruthy();
    expect(await within(form).findByRole("status")).toHaveTextContent("Added £89.90 for Stock photos");
    expect(await screen.findByRole("cell", { name: "Stock photos" })).toBeInTheDocument();
    expect(within(form).getByLabelText("Description")).toHaveValue("");
  });

  it("shows every field the gateway's 422 names beside that field, and nothing twice", async () => {
    gateway("member", {
      [`POST /projects/${WEBSITE}/expenses`]: problem(422, "amount: …; currency: …", [
        { field: "amount", message: "must be at least 0, at most 999999999999, with at most 2 decimals" },
        { field: "currency", message: "must be an ISO 4217 currency code, e.g. EUR" },
      ]),
    });
    const user = userEvent.setup();
    open();
    const form = await addForm();
    await user.type(within(form).getByLabelText("Description"), "Hotel");
    await user.type(within(form).getByLabelText("Amount"), "-3");
    await user.clear(within(form).getByLabelText(/^Currency/));
    await user.type(within(form).getByLabelText(/^Currency/), "xx");
    await user.click(within(form).getByRole("button", { name: "Add expense" }));

    const amount = within(form).getByLabelText("Amount");
    expect(await within(amount.closest<HTMLElement>(".field")!).findByRole("alert")).toHaveTextContent("at most 2 decimals");
    expect(amount).toHaveAttribute("aria-invalid", "true");
    const currency = within(form).getByLabelText(/^Currency/);
    expect(within(currency.closest<HTMLElement>(".field")!).getByRole("alert")).toHaveTextContent("ISO 4217");
    expect(currency).toHaveValue("XX");
    expect(within(form).getAllByRole("alert")).toHaveLength(2);
  });

  it("edits an expense with a PATCH of what changed, and deletes one only once confirmed", async () => {
    const seat = expense({ id: "x-1", description: "Figma seat", amount: "45.00" });
    expenses = [seat];
    const gw = gateway("member", {
      "PATCH /expenses/:id": ({ body }) => {
        expenses = expenses.map((x) => (x.id === "x-1" ? { ...x, ...(body as object) } : x));
        return expenses[0];
      },
      "DELETE /expenses/:id": () => problem(409, "This expense is on an invoice; void the invoice first."),
    });
    const user = userEvent.setup();
    open();

    await user.click(await screen.findByRole("button", { name: "Edit Figma seat ($45.00, Dec 1, 2026)" }));
    const form = screen.getByRole("form", { name: "Edit expense" });
    expect(within(form).getByLabelText("Description")).toHaveFocus();
    await user.clear(within(form).getByLabelText("Amount"));
    await user.type(within(form).getByLabelText("Amount"), "50");
    await user.click(within(form).getByRole("button", { name: "Save expense" }));

    await waitFor(() => expect(gw.to("PATCH /expenses/x-1").map((c) => c.body)).toEqual([{ amount: "50" }]));
    expect(await screen.findByRole("form", { name: "Add expense" })).toBeInTheDocument();
    expect(await screen.findByText("$50.00")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: /^Delete Figma seat/ }));
    expect(gw.to("DELETE /expenses/x-1")).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Yes, delete" }));
    expect(await screen.findByText(/on an invoice; void the invoice first/)).toBeInTheDocument();
    expect(gw.to("DELETE /expenses/x-1")).toHaveLength(1);
  });

  it("is not a section for a viewer, and says so if the gateway refuses the list", async () => {
    gateway("viewer", { "GET /time-entries": { time_entries: [], next_cursor: null } });
    open("/time");
    expect(await screen.findByRole("link", { name: "Week" })).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Expenses" })).not.toBeInTheDocument();
  });

  it("tells a member the gateway refused instead of showing an error", async () => {
    gateway("member", { "GET /projects/:id/expenses": problem(403, "Not allowed") });
    open();
    expect(await screen.findByText(/recorded and read by members/)).toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "Add expense" })).not.toBeInTheDocument();
  });
});
