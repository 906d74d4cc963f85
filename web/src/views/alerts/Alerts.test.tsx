import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { Role } from "../../api/types";
import Alerts from "./Alerts";
import type { AlertRecord } from "./queries";

let role: Role = "manager";
vi.mock("../../api/session", async (original) => ({
  ...(await original<typeof import("../../api/session")>()),
  useSession: () => ({
    signedIn: true,
    loading: false,
    me: { user: { id: "u1", email: "m@example.com" }, organization: { id: "o1", name: "Acme", currency: "USD", timezone: "UTC" }, role },
    begin: () => {},
    logout: async () => {},
  }),
}));

const json = (body: unknown, status = 200) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

function alert(over: Partial<AlertRecord>): AlertRecord {
  return {
    id: "a1",
    type: "margin_threshold",
    severity: "critical",
    message: "Website redesign margin fell to 12 % (threshold 20 %)",
    project_id: "p1",
    invoice_id: null,
    is_read: false,
    created_at: new Date(Date.now() - 5 * 60_000).toISOString(),
    ...over,
  };
}

let alerts: AlertRecord[];
let fetchMock: ReturnType<typeof vi.fn>;

beforeEach(() => {
  role = "manager";
  alerts = [
    alert({}),
    alert({ id: "a2", type: "invoice_overdue", severity: "warning", message: "Invoice INV-0007 is 10 days overdue", project_id: null, invoice_id: "i7", is_read: true }),
  ];
  // Answers like the gateway, and remembers what was marked read.
  fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const u = new URL(String(input), "http://localhost");
    const method = init?.method ?? "GET";
    if (u.pathname === "/api/v1/alerts" && method === "GET") {
      const shown = alerts.filter((a) => u.searchParams.get("unread") !== "true" || !a.is_read);
      return json({ alerts: shown, unread_count: alerts.filter((a) => !a.is_read).length, next_cursor: null });
    }
    const one = u.pathname.match(/^\/api\/v1\/alerts\/([^/]+)$/);
    if (one && method === "PATCH") {
      const body = JSON.parse(String(init!.body));
      alerts = alerts.map((a) => (a.id === one[1] ? { ...a, ...body } : a));
      return json(alerts.find((a) => a.id === one[1]));
    }
    if (one && method === "DELETE") {
      alerts = alerts.filter((a) => a.id !== one[1]);
      return json(undefined, 204);
    }
    if (u.pathname === "/api/v1/alerts/subscriptions") return json({ subscriptions: [] });
    if (u.pathname === "/api/v1/projects") return json({ projects: [], next_cursor: null });
    return json({ title: "Not found", status: 404 }, 404);
  });
  vi.stubGlobal("fetch", fetchMock);
});

afterEach(() => vi.unstubAllGlobals());

function renderAlerts() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={["/alerts"]}>
        <Alerts />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const item = (message: string) => screen.findByRole("listitem", { name: message });

describe("Alerts inbox", () => {
  it("marks an alert read with PATCH {is_read: true} and drops its unread style", async () => {
    const user = userEvent.setup();
    renderAlerts();
    const unread = await item("Website redesign margin fell to 12 % (threshold 20 %)");
    expect(unread).toHaveClass("alert-unread");
    expect(within(unread).getByRole("img", { name: "Unread" })).toBeInTheDocument();
    expect(within(unread).getByText("critical")).toHaveClass("tone-bad");
    expect(within(unread).getByText("5 minutes ago")).toBeInTheDocument();
    expect(within(unread).getByRole("link", { name: "Open project" })).toHaveAttribute("href", "/projects/p1");

    await user.click(within(unread).getByRole("button", { name: "Mark read" }));

    const patch = fetchMock.mock.calls.find(([, init]) => init?.method === "PATCH")!;
    expect(String(patch[0])).toBe("/api/v1/alerts/a1");
    expect(JSON.parse(String(patch[1].body))).toEqual({ is_read: true });
    const read = await item("Website redesign margin fell to 12 % (threshold 20 %)");
    await vi.waitFor(() => expect(read).not.toHaveClass("alert-unread"));
    expect(within(read).queryByRole("img", { name: "Unread" })).not.toBeInTheDocument();
    expect(within(read).queryByRole("button", { name: "Mark read" })).not.toBeInTheDocument();
    expect(await screen.findByText("0 unread")).toBeInTheDocument();
  });

  it("links an invoice alert to its invoice and deletes an alert", async () => {
    const user = userEvent.setup();
    renderAlerts();
    const overdue = await item("Invoice INV-0007 is 10 days overdue");
    expect(overdue).not.toHaveClass("alert-unread");
    expect(within(overdue).getByText("warning")).toHaveClass("tone-warn");
    expect(within(overdue).getByRole("link", { name: "Open invoice" })).toHaveAttribute("href", "/invoices/i7");

    await user.click(within(overdue).getByRole("button", { name: "Delete" }));
    await vi.waitFor(() => expect(screen.queryByRole("listitem", { name: "Invoice INV-0007 is 10 days overdue" })).not.toBeInTheDocument());
    expect(fetchMock.mock.calls.some(([url, init]) => url === "/api/v1/alerts/a2" && init?.method === "DELETE")).toBe(true);
  });

  it("asks for unread alerts only when the toggle is on", async () => {
    const user = userEvent.setup();
    renderAlerts();
    await item("Invoice INV-0007 is 10 days overdue");
    await user.click(screen.getByLabelText("Unread only"));
    await vi.waitFor(() =>
      expect(screen.queryByRole("listitem", { name: "Invoice INV-0007 is 10 days overdue" })).not.toBeInTheDocument(),
    );
    const asked = fetchMock.mock.calls.map(([input]) => new URL(String(input), "http://localhost"));
    expect(asked.some((u) => u.pathname === "/api/v1/alerts" && u.searchParams.get("unread") === "true")).toBe(true);
  });

  it("keeps subscriptions for managers and up", async () => {
    role = "member";
    renderAlerts();
    await item("Invoice INV-0007 is 10 days overdue");
    expect(screen.queryByRole("region", { name: "Subscriptions" })).not.toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Open invoice" })).not.toBeInTheDocument();
  });
});
