// Rendering a view as the app does, against a fake gateway: `fetch` answers from a table of
// "METHOD /path" → body (or a function of the request), and records every call.

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter } from "react-router-dom";

import { SessionProvider } from "./api/session";
import { tokens } from "./api/tokens";
import type { Me, Role } from "./api/types";

export type Answer = unknown | ((init: RequestInit, url: URL) => unknown);
export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export class HttpError {
  constructor(readonly status: number, readonly body: unknown) {}
}

export function fakeGateway(routes: Record<string, Answer>) {
  const calls: Call[] = [];
  const fetchImpl = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), "http://labs.test");
    const method = init.method ?? "GET";
    const path = url.pathname.replace(/^\/api\/v1/, "");
    const body = typeof init.body === "string" ? JSON.parse(init.body) : init.body;
    calls.push({ method, path, query: url.searchParams, body });
    const key = `${method} ${path}`;
    if (!(key in routes)) return new Response(JSON.stringify({ title: "Not Found", status: 404 }), { status: 404 });
    let answer = routes[key];
    if (typeof answer === "function") answer = (answer as (i: RequestInit, u: URL) => unknown)(init, url);
    if (answer instanceof HttpError) {
      return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { "Content-Type": "application/problem+json" } });
    }
    if (answer === undefined) return new Response(null, { status: 204 });
    return new Response(JSON.stringify(answer), { status: method === "POST" ? 201 : 200 });
  });
  globalThis.fetch = fetchImpl as typeof fetch;
  return { calls, fetch: fetchImpl };
}

/** GET /auth/me's answer for a signed-in `role` (add it to fakeGateway's routes). */
export function me(role: Role = "owner", client_id: string | null = null): Me {
  return {
    user: { id: "u-1", email: "ana@studio.test", first_name: "Ana", last_name: "Lima" },
    organization: { id: "o-1", name: "Studio", currency: "USD", timezone: "Europe/Berlin" },
    role,
    client_id,
  };
}

/** Renders `ui` inside the app's providers, signed in (GET /auth/me must be a route). */
export function renderView(ui: ReactElement, { path = "/" }: { path?: string } = {}) {
  tokens.set({ access_token: "access", refresh_token: "refresh" });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <SessionProvider>{ui}</SessionProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}
