// Gateway answers for the invoice views' tests (and the portal's, which lists invoices).

export const CLIENT = { id: "c1", name: "Acme", email: "ap@acme.test", currency: "USD" };
export const PROJECT = {
  id: "p1", name: "Website", client_id: "c1", client_name: "Acme", status: "active", priority: "high",
  budget_type: "time_and_materials", budget_total: "10000.00", budget_currency: "USD",
  start_date: "2026-01-01", end_date: "2026-12-31",
};

export function invoice(overrides: Record<string, unknown> = {}) {
  return {
    id: "i1", number: "INV-0001", status: "sent", client_id: "c1", client_name: "Acme",
    project_id: "p1", project_name: "Website", currency: "USD", issue_date: "2026-11-02",
    due_date: "2026-12-02", payment_terms_days: 30, period_start: "2026-10-01", period_end: "2026-10-31",
    items: [
      { id: "it1", kind: "time", description: "Website (design)", quantity: 5.0, unit_price: "150.00", amount: "750.00", time_entry_ids: ["t1"], expense_ids: [] },
    ],
    subtotal: "750.00", tax_rate: "0", tax_amount: "0.00", total: "750.00", amount_paid: "0.00",
    amount_due: "750.00", notes: "", stripe_invoice_id: null, payment_url: null, sent_at: "2026-11-02T09:00:00Z",
    paid_at: null, voided_at: null,
    ...overrides,
  };
}
