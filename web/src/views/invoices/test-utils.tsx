// Renders a view as the app would (fresh query cache, a router) against a stubbed gateway.

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { vi } from "vitest";

import { SessionProvider } from "../../api/session";
import { tokens } from "../../api/tokens";

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string>;
}

type Answer = { status?: number; body?: unknown } | undefined;
type Handler = (call: Call) => Answer;

/** Stubs fetch: `handler` answers each call like the gateway would (undefined → 404). */
export function stubGateway(handler: Handler): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const u = new URL(String(input), "http://localhost");
      const call: Call = {
        method: init.method ?? "GET",
        path: u.pathname.replace(/^\/api\/v1/, ""),
        query: u.searchParams,
        body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
        headers: (init.headers ?? {}) as Record<string, string>,
      };
      calls.push(call);
      const answer = handler(call) ?? { status: 404, body: { title: "Not Found", status: 404, detail: "" } };
      const status = answer.status ?? 200;
      return new Response(status === 204 ? null : JSON.stringify(answer.body ?? {}), {
        status,
        headers: { "Content-Type": status >= 400 ? "application/problem+json" : "application/json" },
      });
    }),
  );
  return calls;
}

export function problem422(field: string, message: string) {
  return {
    status: 422,
    body: {
      type: "https://labs.dev/problems/validation-failed",
      title: "Validation failed",
      status: 422,
      detail: `${field}: ${message}`,
      errors: [{ field, message }],
    },
  };
}

/** Renders `element` at `path`, matched by `route` (e.g. "/invoices/:invoiceId"). With
 * `signedIn`, inside a session whose GET /auth/me the stub answers. */
export function renderAt(element: ReactElement, { path, route, signedIn = false }: {
  path: string;
  route: string;
  signedIn?: boolean;
}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const routes = (
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path={route} element={element} />
        <Route path="*" element={<p>Elsewhere</p>} />
      </Routes>
    </MemoryRouter>
  );
  if (signedIn) tokens.set({ access_token: "test-access", refresh_token: "test-refresh" });
  return render(
    <QueryClientProvider client={client}>
      {signedIn ? <SessionProvider>{routes}</SessionProvider> : routes}
    </QueryClientProvider>,
  );
}

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
