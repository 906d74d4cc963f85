import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, useLocation } from "react-router-dom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import Integrations from "./Integrations";
import type { ConnectionRecord } from "./platforms";

const json = (body: unknown, status = 200) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const AUTH_URL = "https://github.com/login/oauth/authorize?client_id=abc&state=st-1";

const github: ConnectionRecord = {
  id: "c1",
  platform: "github",
  status: "connected",
  account_name: "acme-agency",
  connected_at: "2026-11-01T09:00:00Z",
  last_sync_at: null,
  last_sync_status: null,
  last_sync_error: null,
};

let connections: ConnectionRecord[];
let fetchMock: ReturnType<typeof vi.fn>;
let assign: ReturnType<typeof vi.fn>;
let statusAnswers: unknown[];

beforeEach(() => {
  connections = [];
  statusAnswers = [];
  sessionStorage.clear();
  assign = vi.fn();
  vi.stubGlobal("location", { ...window.location, origin: "https://console.labs.test", assign });
  fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const u = new URL(String(input), "http://localhost");
    const method = init?.method ?? "GET";
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    if (u.pathname === "/api/v1/integrations") return json({ integrations: connections, next_cursor: null });
    if (u.pathname === "/api/v1/integrations/github/auth" && body?.redirect_url) return json({ auth_url: AUTH_URL, state: "st-1" });
    if (u.pathname === "/api/v1/integrations/github/auth" && body?.access_token) {
      return json({
        type: "https://labs.dev/problems/validation-failed", title: "Validation failed", status: 422,
        detail: "access_token: GitHub does not accept this token",
        errors: [{ field: "access_token", message: "GitHub does not accept this token" }],
      }, 422);
    }
    if (u.pathname === "/api/v1/integrations/github/callback") {
      connections = [github];
      return json(github);
    }
    if (u.pathname === "/api/v1/integrations/c1/sync" && method === "POST") {
      statusAnswers = [
        { status: "in_progress", records_synced: 3, errors: [], next_sync_in_minutes: 0 },
        { status: "success", records_synced: 42, errors: ["Issue #9: no such assignee"], next_sync_in_minutes: 60 },
      ];
      return json({ job_id: "job-1" }, 202);
    }
    if (u.pathname === "/api/v1/integrations/c1/sync-status") {
      return json(statusAnswers.length > 1 ? statusAnswers.shift() : statusAnswers[0]);
    }
    if (u.pathname === "/api/v1/integrations/c1/sync-logs") return json({ sync_logs: [], next_cursor: null });
    return json({ title: "Not found", status: 404 }, 404);
  });
  vi.stubGlobal("fetch", fetchMock);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function Where() {
  const { search } = useLocation();
  return <output aria-label="Query string">{search}</output>;
}

function renderPage(entry = "/integrations") {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[entry]}>
        <Integrations />
        <Where />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const calls = (path: string) =>
  fetchMock.mock.calls.filter(([input]) => new URL(String(input), "http://localhost").pathname === path);

describe("Integrations", () => {
  it("connects over OAuth: asks /auth for the platform's URL with our redirect, then goes there", async () => {
    const user = userEvent.setup();
    renderPage();
    const card = await screen.findByRole("region", { name: "GitHub" });
    expect(screen.getByText(/Nothing connected yet/)).toBeInTheDocument();
    expect(screen.getAllByRole("button", { name: /^Connect / })).toHaveLength(9);

    await user.click(within(card).getByRole("button", { name: "Connect GitHub" }));

    await vi.waitFor(() => expect(assign).toHaveBeenCalledWith(AUTH_URL));
    const [auth] = calls("/api/v1/integrations/github/auth");
    expect(auth[1].method ?? "POST").toBe("POST");
    expect(JSON.parse(String(auth[1].body))).toEqual({ redirect_url: "https://console.labs.test/integrations" });
    expect(JSON.parse(sessionStorage.getItem("labs.integrations.oauth")!)).toEqual({ platform: "github", state: "st-1" });
  });

  it("finishes OAuth on the way back and clears the query string", async () => {
    sessionStorage.setItem("labs.integrations.oauth", JSON.stringify({ platform: "github", state: "st-1" }));
    renderPage("/integrations?code=the-code&state=st-1");

    expect(await screen.findByText("GitHub connected as acme-agency.")).toBeInTheDocument();
    const callback = calls("/api/v1/integrations/github/callback");
    expect(callback).toHaveLength(1);
    expect(JSON.parse(String(callback[0][1].body))).toEqual({ code: "the-code", state: "st-1" });
    expect(screen.getByRole("status", { name: "Query string" })).toHaveTextContent(/^$/);
    expect(await screen.findByRole("button", { name: "Sync now" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Connect GitHub" })).not.toBeInTheDocument();
  });

  it("says the platform refused a token", async () => {
    const user = userEvent.setup();
    renderPage();
    const card = await screen.findByRole("region", { name: "GitHub" });
    await user.click(within(card).getByRole("button", { name: "Use a token instead" }));
    await user.type(within(card).getByLabelText(/^Personal access token/), "ghp_nope");
    await user.click(within(card).getByRole("button", { name: "Connect with token" }));
    expect(await within(card).findByText("GitHub refused this token.")).toBeInTheDocument();
    const [auth] = calls("/api/v1/integrations/github/auth");
    expect(JSON.parse(String(auth[1].body))).toEqual({ access_token: "ghp_nope" });
  });

  it("syncs now and polls the status until it is over", async () => {
    connections = [github];
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole("button", { name: "Sync now" }));
    expect(await screen.findByText(/Syncing… 3 records so far/)).toBeInTheDocument();
    // the next poll comes 2 s later and finds the sync over
    expect(await screen.findByText(/Sync success: 42 records synced/, {}, { timeout: 3500 })).toBeInTheDocument();
    expect(screen.getByText("Issue #9: no such assignee")).toBeInTheDocument();
    expect(calls("/api/v1/integrations/c1/sync")[0][1].method).toBe("POST");
  });
});
