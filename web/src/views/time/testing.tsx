// Test helpers for the time views: a gateway-shaped fetch stub and a fresh render.

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router-dom";
import { vi } from "vitest";

import type { Entry } from "./queries";

export const ME = "11111111-1111-4111-8111-111111111111";
export const WEBSITE = "22222222-2222-4222-8222-222222222222";

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": status >= 400 ? "application/problem+json" : "application/json" },
  });

export const problem = (status: number, detail: string, errors: { field: string; message: string }[] = []) =>
  json({ type: "about:blank", title: status === 422 ? "Unprocessable Entity" : "Error", status, detail, errors }, status);

export function entry(overrides: Partial<Entry>): Entry {
  return {
    id: crypto.randomUUID(),
    project_id: WEBSITE,
    task_id: null,
    user_id: ME,
    resource_id: null,
    date_worked: "2026-12-01",
    hours: 1,
    rounded_hours: 1,
    started_at: null,
    ended_at: null,
    is_running: false,
    billable: true,
    billable_rate: null,
    currency: "USD",
    notes: "",
    status: "draft",
    is_locked: false,
    locked_reason: null,
    invoice_id: null,
    source: "manual",
    ...overrides,
  };
}

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string>;
}

type Route = (call: Call) => Response | undefined;

/** Stubs fetch: the first route answering wins, anything else is a 404 problem. Records calls. */
export function stubGateway(route: Route): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const u = new URL(String(input), "http://localhost");
      const call: Call = {
        method: init?.method ?? "GET",
        path: u.pathname.replace(/^\/api\/v1/, ""),
        query: u.searchParams,
        body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
        headers: (init?.headers ?? {}) as Record<string, string>,
      };
      calls.push(call);
      return route(call) ?? problem(404, "No such resource.");
    }),
  );
  return calls;
}

export function renderWithClient(ui: ReactNode, path = "/time") {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
    </QueryClientProvider>,
  );
}
