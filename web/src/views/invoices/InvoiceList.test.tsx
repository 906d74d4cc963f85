import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import InvoiceList from "./InvoiceList";
import { CLIENT, invoice, problem422, PROJECT, renderAt, stubGateway, type Call } from "./test-utils";

const OVERDUE = invoice({ id: "i2", number: "INV-0002", status: "overdue", amount_due: "1200.00", total: "1200.00" });
const PAID = invoice({ id: "i3", number: "INV-0003", status: "paid", amount_due: "0.00", amount_paid: "750.00" });
const DRAFT = invoice({ id: "i4", number: null, status: "draft", issue_date: null, due_date: null, client_name: null, project_name: null });

function gateway(extra: (call: Call) => { status?: number; body?: unknown } | undefined = () => undefined) {
  return stubGateway((call) => {
    if (call.path === "/clients") return { body: { clients: [CLIENT], next_cursor: null } };
    if (call.path === "/projects") return { body: { projects: [PROJECT], next_cursor: null } };
    if (call.method === "GET" && call.path === "/invoices") {
      const all = [OVERDUE, PAID, DRAFT];
      const status = call.query.get("status");
      return { body: { invoices: all.filter((i) => !status || i.status === status), next_cursor: null } };
    }
    return extra(call);
  });
}

const renderList = (path = "/invoices") => renderAt(<InvoiceList />, { path, route: "/invoices" });

afterEach(() => vi.unstubAllGlobals());

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
    const calls = gateway((call) =>
      call.path === "/invoices/generate"
        ? problem422("period_start", "nothing to bill: the project has no billable, uninvoiced, finished time or billable expenses in this period")
        : undefined,
    );
    renderList();

    await userEvent.click(screen.getByRole("button", { name: "Generate invoice" }));
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
    expect(sent.headers["Idempotency-Key"]).toBeTruthy();
    expect(sent.body).toMatchObject({ project_id: "p1", group_by: "project", include_expenses: true, tax_rate: "20" });
    const body = sent.body as { period_start: string; period_end: string };
    expect(body.period_start).toMatch(/^\d{4}-\d{2}-01$/);
    expect(body.period_end > body.period_start).toBe(true);
  });

  it("opens the new invoice after generating it", async () => {
    gateway((call) => (call.path === "/invoices/generate" ? { status: 201, body: invoice({ id: "new1", status: "draft", number: null }) } : undefined));
    renderList();
    await userEvent.click(screen.getByRole("button", { name: "Generate invoice" }));
    const form = screen.getByRole("form", { name: "Generate invoice" });
    await vi.waitFor(() => expect(within(form).getByLabelText("Project")).toHaveValue("p1"));
    await userEvent.click(within(form).getByRole("button", { name: "Generate draft" }));
    expect(await screen.findByText("Elsewhere")).toBeInTheDocument();
  });

  it("creates a manual invoice with its items as decimal strings", async () => {
    const calls = gateway((call) =>
      call.method === "POST" && call.path === "/invoices" ? { status: 201, body: invoice({ id: "m1", status: "draft", number: null }) } : undefined,
    );
    renderList();
    await userEvent.click(screen.getByRole("button", { name: "New manual invoice" }));
    const form = screen.getByRole("form", { name: "New manual invoice" });
    await vi.waitFor(() => expect(within(form).getByLabelText("Client")).toHaveValue("c1"));
    await userEvent.type(within(form).getByLabelText("Description"), "Retainer");
    await userEvent.type(within(form).getByLabelText("Unit price"), "2500");
    await userEvent.clear(within(form).getByLabelText("Due in (days)"));
    await userEvent.type(within(form).getByLabelText("Due in (days)"), "14");
    await userEvent.click(within(form).getByRole("button", { name: "Create draft" }));

    await screen.findByText("Elsewhere");
    const sent = calls.find((c) => c.method === "POST" && c.path === "/invoices")!;
    expect(sent.body).toEqual({
      client_id: "c1",
      items: [{ description: "Retainer", quantity: "1", unit_price: "2500" }],
      payment_terms_days: 14,
    });
  });
});
