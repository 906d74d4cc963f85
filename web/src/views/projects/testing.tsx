// Test scaffolding for the project views: a fake gateway behind `fetch` and a render with the
// providers the console runs under (query client, session, router).

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes, useLocation } from "react-router-dom";
import { vi } from "vitest";

import { SessionProvider, useSession } from "../../api/session";
import { tokens } from "../../api/tokens";
import type { Me, Role } from "../../api/types";

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string>;
}

export interface Answer {
  status?: number;
  body?: unknown;
}

/** A route's answer: a fixed JSON body (200), or a function of the request. */
export type Stub = unknown | ((call: Call) => Answer | Promise<Answer>);

export function me(role: Role, currency = "USD"): Me {
  return {
    user: { id: "u-1", email: "sam@example.com", first_name: "Sam", last_name: "Lee" },
    organization: { id: "org-1", name: "Studio", currency, timezone: "UTC" },
    role,
  };
}

export function problem(status: number, title: string, detail = "", errors: { field: string; message: string }[] = []): Answer {
  return { status, body: { type: "about:blank", title, status, detail, errors } };
}

function reply({ status = 200, body }: Answer): Response {
  return new Response(status === 204 ? null : JSON.stringify(body ?? {}), {
    status,
    headers: { "Content-Type": status >= 400 ? "application/problem+json" : "application/json" },
  });
}

/** Answers `fetch` like the gateway would, from routes keyed "METHOD /path" (path after /api/v1). */
export function stubGateway(routes: Record<string, Stub>, who: Me = me("manager")) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const u = new URL(String(input), "http://localhost");
    const call: Call = {
      method: init.method ?? "GET",
      path: u.pathname.replace(/^\/api\/v1/, ""),
      query: u.searchParams,
      body: typeof init.body === "string" ? JSON.parse(init.body) : init.body,
      headers: (init.headers ?? {}) as Record<string, string>,
    };
    calls.push(call);
    const key = `${call.method} ${call.path}`;
    if (key === "GET /auth/me") return reply({ body: who });
    if (!(key in routes)) return reply(problem(404, "Not Found", `no stub for ${key}`));
    const route = routes[key];
    return reply(typeof route === "function" ? await route(call) : { body: route });
  });
  vi.stubGlobal("fetch", fetchMock);
  return {
    calls,
    /** The calls made to one "METHOD /path". */
    to: (key: string) => calls.filter((c) => `${c.method} ${c.path}` === key),
  };
}

/** As the app does, show a view only once the session knows who is signed in. */
function SignedIn({ children }: { children: ReactElement }) {
  return useSession().me ? children : <p>Signing in…</p>;
}

function CurrentPath() {
  return <output aria-label="Current path">{useLocation().pathname}</output>;
}

/** Renders `ui` at `url` under `path`; any other path renders its pathname, to see navigation. */
export function renderView(ui: ReactElement, { path, url }: { path: string; url: string }) {
  tokens.set({ access_token: "test-access", refresh_token: "test-refresh" });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <SessionProvider>
        <MemoryRouter initialEntries={[url]}>
          <Routes>
            <Route path={path} element={<SignedIn>{ui}</SignedIn>} />
            <Route path="*" element={<CurrentPath />} />
          </Routes>
        </MemoryRouter>
      </SessionProvider>
    </QueryClientProvider>,
  );
}

export function currentPath(): Promise<HTMLElement> {
  return screen.findByRole("status", { name: "Current path" });
}

export function resetGateway() {
  cleanup();
  tokens.clear();
  vi.unstubAllGlobals();
}
