// The one fake gateway and render helper for component tests.
// fakeGateway({ "METHOD /path": answer }) stands in for `fetch` (paths after /api/v1, ":name"
// matches a segment). An answer, or a function of the Call returning one (a Promise holds the
// request open), is a JSON body (200; 201 for POST), undefined (204), a Blob, reply(status, body,
// headers?) (e.g. an ETag) or problem(...)/invalid(...). Unrouted calls get a 404; GET /auth/me defaults to me("manager").
// renderView(ui, { url, route }) renders ui under the app's providers, signed in, once /auth/me
// has answered; other paths show the "Current path" (see currentPath()).

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter, Route, Routes, useLocation } from "react-router-dom";

import { API } from "./api/client";
import { SessionProvider, useSession } from "./api/session";
import { tokens } from "./api/tokens";
import type { Me, Role } from "./api/types";

export interface Call {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  headers: Headers;
}

class Reply {
  constructor(readonly status: number, readonly body?: unknown, readonly headers: Record<string, string> = {}) {}
}
/** A JSON body, undefined (204), a Blob, or a Reply. */
export type Answer = object | string | number | boolean | null | undefined;
export type RouteTable = Record<string, Answer | ((call: Call) => Answer | Promise<Answer>)>;

export const reply = (status: number, body?: unknown, headers?: Record<string, string>) => new Reply(status, body, headers);

const TITLES: Record<number, string> = { 403: "Forbidden", 404: "Not Found", 409: "Conflict", 412: "Precondition Failed", 422: "Unprocessable Entity" };

/** A problem+json answer (API.md, General rules). */
export function problem(status: number, detail = "", errors: { field: string; message: string }[] = []) {
  return reply(status, { type: "about:blank", title: TITLES[status] ?? "Error", status, detail, errors });
}

/** A 422 naming one field, as the gateway's validation does. */
export const invalid = (field: string, message: string) => problem(422, `${field}: ${message}`, [{ field, message }]);

/** GET /auth/me's answer for a signed-in `role`. */
export function me(role: Role = "manager", over: { user?: Partial<Me["user"]>; organization?: Partial<Me["organization"]>; client_id?: string | null } = {}): Me {
  return {
    user: { id: "u-1", email: "ana@studio.test", first_name: "Ana", last_name: "Lima", ...over.user },
    organization: { id: "o-1", name: "Studio", currency: "USD", timezone: "UTC", ...over.organization },
    role,
    client_id: over.client_id ?? null,
  };
}

function find(routes: RouteTable, method: string, path: string): [RouteTable[string], Record<string, string>] | undefined {
  if (`${method} ${path}` in routes) return [routes[`${method} ${path}`], {}];
  for (const [key, route] of Object.entries(routes)) {
    const names: string[] = [];
    const pattern = key.replace(/:(\w+)/g, (_, name: string) => (names.push(name), "([^/]+)"));
    const hit = `${method} ${path}`.match(new RegExp(`^${pattern}$`));
    if (names.length && hit) return [route, Object.fromEntries(names.map((n, i) => [n, hit[i + 1]]))];
  }
  return undefined;
}

async function respond(answer: Answer, method: string): Promise<Response> {
  if (answer instanceof Blob) return new Response(await answer.arrayBuffer(), { headers: { "Content-Type": answer.type } });
  const { status, body, headers } = answer instanceof Reply ? answer : new Reply(answer === undefined ? 204 : method === "POST" ? 201 : 200, answer);
  const type = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(body === undefined || status === 204 ? null : JSON.stringify(body), { status, headers: { "Content-Type": type, ...headers } });
}

export function fakeGateway(routes: RouteTable) {
  const calls: Call[] = [];
  const all: RouteTable = { "GET /auth/me": me(), ...routes };
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), "http://labs.test");
    if (!url.pathname.startsWith(`${API}/`)) throw new Error(`fetch outside the gateway: ${url.pathname}`);
    const method = init.method ?? "GET";
    const path = url.pathname.slice(API.length);
    const body = typeof init.body === "string" ? JSON.parse(init.body) : init.body ?? undefined;
    const found = find(all, method, path);
    const call: Call = { method, path, params: found?.[1] ?? {}, query: url.searchParams, body, headers: new Headers(init.headers) };
    calls.push(call);
    if (!found) return respond(problem(404, `no route for ${method} ${path}`), method);
    const [route] = found;
    return respond(typeof route === "function" ? await route(call) : route, method);
  });
  return {
    calls,
    /** The calls made to one "METHOD /path". */
    to: (key: string) => calls.filter((c) => `${c.method} ${c.path}` === key),
  };
}

function SignedIn({ children }: { children: ReactNode }) {
  return useSession().me ? children : <p>Signing in…</p>;
}

function CurrentPath() {
  return <output aria-label="Current path">{useLocation().pathname}</output>;
}

export function renderView(ui: ReactNode, { url = "/", route = "*" }: { url?: string; route?: string } = {}) {
  tokens.set({ access_token: "test-access", refresh_token: "test-refresh" });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <SessionProvider>
        <MemoryRouter initialEntries={[url]}>
          <Routes>
            <Route path={route} element={<SignedIn>{ui}</SignedIn>} />
            <Route path="*" element={<CurrentPath />} />
          </Routes>
        </MemoryRouter>
      </SessionProvider>
    </QueryClientProvider>,
  );
}

export const currentPath = () => screen.findByRole("status", { name: "Current path" });

// Unmount before the session's tokens go, so nothing updates after a test.
afterEach(() => {
  cleanup();
  tokens.clear();
  vi.unstubAllGlobals();
});
