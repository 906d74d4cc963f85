import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useLocation } from "react-router-dom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { fakeGateway, invalid, me, problem, renderView, reply, type Call } from "../../test-utils";
import Integrations from "./Integrations";
import type { ConnectionRecord } from "./platforms";

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
let recorded: Call[];
let assign: ReturnType<typeof vi.fn>;
let statusAnswers: unknown[];

beforeEach(() => {
  connections = [];
  statusAnswers = [];
  sessionStorage.clear();
  assign = vi.fn();
  vi.stubGlobal("location", { ...window.location, origin: "https://console.labs.test", assign });
  recorded = fakeGateway({
    "GET /auth/me": me("admin"),
    "GET /integrations": () => ({ integrations: connections, next_cursor: null }),
    "POST /integrations/github/auth": ({ body }) => {
      const asked = body as { redirect_url?: string; access_token?: string } | undefined;
      if (asked?.redirect_url) return { auth_url: AUTH_URL, state: "st-1" };
      if (asked?.access_token) return invalid("access_token", "GitHub does not accept this token");
      return problem(404);
    },
    "POST /integrations/github/callback": () => {
      connections = [github];
      return github;
    },
    "POST /integrations/c1/sync": () => {
      statusAnswers = [
        { status: "in_progress", records_synced: 3, errors: [], next_sync_in_minutes: 0 },
        { status: "success", records_synced: 42, errors: ["Issue #9: no such assignee"], next_sync_in_minutes: 60 },
      ];
      return reply(202, { job_id: "job-1" });
    },
    "GET /integrations/c1/sync-status": () => (statusAnswers.length > 1 ? statusAnswers.shift() : statusAnswers[0]),
    "GET /integrations/c1/sync-logs": { sync_logs: [], next_cursor: null },
  }).calls;
});

afterEach(() => vi.useRealTimers());

function Where() {
  const { search } = useLocation();
  return <output aria-label="Query string">{search}</output>;
}

function renderPage(url = "/integrations") {
  return renderView(<><Integrations /><Where /></>, { url, route: "/integrations" });
}

const calls = (path: string) => recorded.filter((c) => c.path === path);

describe("Integrations", () => {
  it("connects over OAuth: asks /auth for the platform's URL with our redirect, then goes there", async () => {
    const user = userEvent.setup();
    renderPage();
    const card = await screen.findByRole("region", { name: "GitHub" });
    expect(screen.getByText(/Nothing connected yet/)).toBeInTheDocument();
    expect(screen.getAllByRole("button", { name: /^Connect / })).toHaveLength(9);

    await user.click(within(card).getByRole("button", { name: "Connect GitHub" }));

    await vi.waitFor(() => expect(assign).toHaveBeenCalledWith(AUTH_URL));
    const [auth] = calls("/integrations/github/auth");
    expect(auth.method).toBe("POST");
    expect(auth.body).toEqual({ redirect_url: "https://console.labs.test/integrations" });
    expect(JSON.parse(sessionStorage.getItem("labs.integrations.oauth")!)).toEqual({ platform: "github", state: "st-1" });
  });

  it("finishes OAuth on the way back and clears the query string", async () => {
    sessionStorage.setItem("labs.integrations.oauth", JSON.stringify({ platform: "github", state: "st-1" }));
    renderPage("/integrations?code=the-code&state=st-1");

    expect(await screen.findByText("GitHub connected as acme-agency.")).toBeInTheDocument();
    const callback = calls("/integrations/github/callback");
    expect(callback).toHaveLength(1);
    expect(callback[0].body).toEqual({ code: "the-code", state: "st-1" });
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
    const [auth] = calls("/integrations/github/auth");
    expect(auth.body).toEqual({ access_token: "ghp_nope" });
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
    expect(calls("/integrations/c1/sync")[0].method).toBe("POST");
  });
});
