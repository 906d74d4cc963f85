import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { currentPath, fakeGateway, invalid, renderView, type RouteTable } from "../../test-utils";
import { CLIENT, invoice, PROJECT } from "./fixtures";
import InvoiceList from "./InvoiceList";

const OVERDUE = invoice({ id: "i2", number: "INV-0002", status: "overdue", amount_due: "1200.00", total: "1200.00" });
const PAID = invoice({ id: "i3", number: "INV-0003", status: "paid", amount_due: "0.00", amount_paid: "750.00" });
const DRAFT = invoice({ id: "i4", number: null, status: "draft", issue_date: null, due_date: null, client_name: null, project_name: null });

function gateway(extra: RouteTable = {}) {
  return fakeGateway({
    "GET /clients": { clients: [CLIENT], next_cursor: null },
    "GET /projects": { projects: [PROJECT], next_cursor: null },
    "GET /invoices": ({ query }) => {
      const status = query.get("status");
      return { invoices: [OVERDUE, PAID, DRAFT].filter((i) => !status || i.status === status), next_cursor: null };
    },
    ...extra,
  }).calls;
}

const renderList = (url = "/invoices") => renderView(<InvoiceList />, { url, route: "/invoices" });

describe("InvoiceList", () => {
  it("marks an overdue invoice in bad tone and a paid one in good tone", async () => {
    gateway();
    renderList();

    const overdueRow = (await screen.findByRole("link", { name: "INV-0002" })).closest("tr")!;
    const badge = within(overdueRow).getByText("Overdue");
    expect(badge).toHaveClass("badge", "tone-bad");
    expect(within(overdueRow).getByText("$1,200.00", { selector: ".inv-due" })).toBeInTheDocument();

    const paidRow = screen.getByRole("link", { name: "INV-0003" }).closest("tr")!;
    expect(within(paidRow).getByText("Paid")).toHaveClass("tone-good");
  });

  it("names a draft's client from GET /clients when the invoice does not", async () => {
    gateway();
    renderList();
    const draftRow = (await screen.findByRole("link", { name: "Draft" })).closest("tr")!;
    expect(await within(draftRow).findByText("Acme")).toBeInTheDocument();
    expect(within(draftRow).getByText("Website")).toBeInTheDocument();
  });

  it("filters by status through the query", async () => {
    const calls = gateway();
    renderList();
    await screen.findByRole("link", { name: "INV-0002" });

    await userEvent.selectOptions(screen.getByLabelText("Status"), "overdue");

    await vi.waitFor(() => expect(screen.queryByRole("link", { name: "INV-0003" })).not.toBeInTheDocument());
    expect(calls.some((c) => c.path === "/invoices" && c.query.get("status") === "overdue")).toBe(true);
  });

  it("says there is nothing to bill next to the period when generate answers 422 on period_start", async () => {
    const calls = gateway({
      "POST /invoices/generate": invalid("period_start", "nothing to bill: the project has no billable, uninvoiced, finished time or billable expenses in this period"),
    });
    renderList();

    await userEvent.click(await screen.findByRole("button", { name: "Generate invoice" }));
    const form = screen.getByRole("form", { name: "Generate invoice" });
    await vi.waitFor(() => expect(within(form).getByLabelText("Project")).toHaveValue("p1"));
    await userEvent.clear(within(form).getByLabelText(/^Tax rate %/));
    await userEvent.type(within(form).getByLabelText(/^Tax rate %/), "20");
    await userEvent.click(within(form).getByRole("button", { name: "Generate draft" }));

    const periodStart = within(form).getByLabelText(/^Period start/).closest<HTMLElement>(".field")!;
    expect(await within(periodStart).findByRole("alert")).toHaveTextContent("Nothing to bill in this period.");
    // Said once, by the field: no second copy above the button.
    expect(within(form).getAllByRole("alert")).toHaveLength(1);

    const sent = calls.find((c) => c.path === "/invoices/generate")!;
    expect(sent.method).toBe("POST");
    expect(sent.headers.get("Idempotency-Key")).toBeTruthy();
    expect(sent.body).toMatchObject({ project_id: "p1", group_by: "project", include_expenses: true, tax_rate: "20" });
    const body = sent.body as { period_start: string; period_end: string };
    expect(body.period_start).toMatch(/^\d{4}-\d{2}-01$/);
    expect(body.period_end > body.period_start).toBe(true);
  });

  it("opens the new invoice after generating it", async () => {
    gateway({ "POST /invoices/generate": invoice({ id: "new1", status: "draft", number: null }) });
    renderList();
    await userEvent.click(await screen.findByRole("button", { name: "Generate invoice" }));
    const form = screen.getByRole("form", { name: "Generate invoice" });
    await vi.waitFor(() => expect(within(form).getByLabelText("Project")).toHaveValue("p1"));
    await userEvent.click(within(form).getByRole("button", { name: "Generate draft" }));
    expect(await currentPath()).toHaveTextContent(/^\/invoices\/new1$/);
  });

  it("creates a manual invoice with its items as decimal strings", async () => {
    const calls = gateway({ "POST /invoices": invoice({ id: "m1", status: "draft", number: null }) });
    renderList();
    await userEvent.click(await screen.findByRole("button", { name: "New manual invoice" }));
    const form = screen.getByRole("form", { name: "New manual invoice" });
    await vi.waitFor(() => expect(within(form).getByLabelText("Client")).toHaveValue("c1"));
    await userEvent.type(within(form).getByLabelText("Description"), "Retainer");
    await userEvent.type(within(form).getByLabelText("Unit price"), "2500");
    await userEvent.clear(within(form).getByLabelText("Due in (days)"));
    await userEvent.type(within(form).getByLabelText("Due in (days)"), "14");
    await userEvent.click(within(form).getByRole("button", { name: "Create draft" }));

    expect(await currentPath()).toHaveTextContent(/^\/invoices\/m1$/);
    const sent = calls.find((c) => c.method === "POST" && c.path === "/invoices")!;
    expect(sent.body).toEqual({
      client_id: "c1",
      items: [{ description: "Retainer", quantity: "1", unit_price: "2500" }],
      payment_terms_days: 14,
    });
  });
});
