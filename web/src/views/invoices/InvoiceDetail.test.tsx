import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { currentPath, fakeGateway, invalid, renderView, type RouteTable } from "../../test-utils";
import { CLIENT, invoice, PROJECT } from "./fixtures";
import InvoiceDetail from "./InvoiceDetail";

const lookups: RouteTable = {
  "GET /clients": { clients: [CLIENT], next_cursor: null },
  "GET /projects": { projects: [PROJECT], next_cursor: null },
};

function gateway(current: Record<string, unknown>, extra: RouteTable = {}) {
  return fakeGateway({
    ...lookups,
    [`GET /invoices/${current.id}`]: current,
    [`GET /invoices/${current.id}/payments`]: { payments: [] },
    ...extra,
  }).calls;
}

const renderDetail = (id: string) => renderView(<InvoiceDetail />, { url: `/invoices/${id}`, route: "/invoices/:invoiceId" });

describe("InvoiceDetail", () => {
  it("sends a draft with POST .../send and shows the number it got", async () => {
    const draft = invoice({ id: "d1", number: null, status: "draft", issue_date: null, due_date: null, sent_at: null });
    const sent = { ...draft, number: "INV-0042", status: "sent", issue_date: "2026-12-02", due_date: "2027-01-01" };
    let state: Record<string, unknown> = draft;
    const { calls } = fakeGateway({
      ...lookups,
      "POST /invoices/d1/send": () => {
        state = sent;
        return sent;
      },
      "GET /invoices/d1": () => state,
      "GET /invoices/d1/payments": { payments: [] },
    });
    renderDetail("d1");

    expect(await screen.findByRole("heading", { name: "Draft invoice" })).toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "Record payment" })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Send invoice" }));

    expect(await screen.findByRole("heading", { name: "Invoice INV-0042" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("Invoice sent as INV-0042.");
    const send = calls.find((c) => c.path === "/invoices/d1/send")!;
    expect(send.method).toBe("POST");
    expect(send.headers.get("Idempotency-Key")).toBeTruthy();
    // Now issued: it can take a payment, and is no longer a draft to delete.
    expect(screen.getByRole("form", { name: "Record payment" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete draft" })).not.toBeInTheDocument();
  });

  it("shows the gateway's 422 on amount next to Amount when a payment exceeds what is due", async () => {
    const partly = invoice({ status: "partially_paid", amount_paid: "100.00", amount_due: "650.00" });
    const calls = gateway(partly, {
      "POST /invoices/i1/payments": invalid("amount", "must not exceed the amount due, 650.00"),
    });
    renderDetail("i1");

    const form = await screen.findByRole("form", { name: "Record payment" });
    const amount = within(form).getByLabelText(/^Amount/);
    expect(amount).toHaveValue("650.00");
    await userEvent.clear(amount);
    await userEvent.type(amount, "900");
    await userEvent.selectOptions(within(form).getByLabelText("Method"), "check");
    await userEvent.type(within(form).getByLabelText("Reference"), "CHK-7");
    await userEvent.click(within(form).getByRole("button", { name: "Record payment" }));

    const amountField = within(form).getByLabelText(/^Amount/).closest<HTMLElement>(".field")!;
    expect(await within(amountField).findByRole("alert")).toHaveTextContent("must not exceed the amount due, 650.00");
    expect(within(form).getAllByRole("alert")).toHaveLength(1);

    const post = calls.find((c) => c.method === "POST" && c.path === "/invoices/i1/payments")!;
    expect(post.body).toMatchObject({ amount: "900", method: "check", reference: "CHK-7" });
    expect((post.body as { paid_at: string }).paid_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it("voids an invoice without payments only after confirming", async () => {
    const calls = gateway(invoice(), { "POST /invoices/i1/void": invoice({ status: "void" }) });
    renderDetail("i1");

    await userEvent.click(await screen.findByRole("button", { name: "Void" }));
    expect(calls.some((c) => c.path === "/invoices/i1/void")).toBe(false);
    await userEvent.click(screen.getByRole("button", { name: "Yes, void invoice" }));

    expect(await screen.findByText("Void", { selector: ".badge" })).toBeInTheDocument();
    expect(calls.filter((c) => c.path === "/invoices/i1/void")).toHaveLength(1);
  });

  it("offers Pay online when the invoice has a payment link, and no Void once paid in part", async () => {
    gateway(invoice({ status: "partially_paid", amount_paid: "100.00", amount_due: "650.00", payment_url: "https://pay.example/inv" }));
    renderDetail("i1");
    expect(await screen.findByRole("link", { name: "Pay online" })).toHaveAttribute("href", "https://pay.example/inv");
    expect(screen.getByRole("button", { name: "Download PDF" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Void" })).not.toBeInTheDocument();
  });

  it("deletes a draft only after confirming, then goes back to the list", async () => {
    const calls = gateway(invoice({ id: "d2", number: null, status: "draft" }), { "DELETE /invoices/d2": undefined });
    renderDetail("d2");

    await userEvent.click(await screen.findByRole("button", { name: "Delete draft" }));
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    await userEvent.click(screen.getByRole("button", { name: "Yes, delete draft" }));

    expect(await currentPath()).toHaveTextContent(/^\/invoices$/);
    expect(calls.filter((c) => c.method === "DELETE" && c.path === "/invoices/d2")).toHaveLength(1);
  });
});
