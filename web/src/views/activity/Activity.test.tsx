import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { LiveProvider } from "../../live/LiveProvider";
import { fakeGateway, me, renderView, type Call } from "../../test-utils";
import Activity from "./Activity";
import type { ActivityRecord } from "./queries";

const ANA = "u-ana";
const WEBSITE = "p-web";
const REBRAND = "p-rebrand";

function activity(id: string, action: string, metadata: Record<string, unknown>, created_at: string, over: Partial<ActivityRecord> = {}): ActivityRecord {
  return { id, action, entity_type: action.split(".")[0], entity_id: "x", project_id: WEBSITE, user_id: ANA, metadata, created_at, ...over };
}

const logged = activity("a-1", "entry.created", { hours: "2.00" }, "2026-12-02T09:55:00Z");
const moved = activity("a-2", "task.updated", { task: { id: "t-1", project_id: WEBSITE, title: "Hero", status: "done" }, changed_fields: ["status"] }, "2026-12-02T08:00:00Z");
const margin = activity("a-3", "project.margin_updated", { margin: { margin_percent: "60.00" } }, "2026-12-02T07:59:00Z");
const unknown = activity("a-4", "webhook_endpoint.created", {}, "2026-11-30T10:00:00Z");

function gateway(feed: (call: Call) => { activities: ActivityRecord[]; next_cursor: string | null }) {
  return fakeGateway({
    "GET /auth/me": me("member", { user: { id: ANA } }),
    "GET /activity": feed,
    "GET /organizations/current/members": {
      members: [{ user: { id: ANA, email: "ana@studio.test", first_name: "Ana", last_name: "Lima" }, role: "member" }],
      next_cursor: null,
    },
    "GET /projects": {
      projects: [{ id: WEBSITE, name: "Website", status: "active" }, { id: REBRAND, name: "Rebrand", status: "planning" }],
      next_cursor: null,
    },
  });
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-12-02T10:00:00Z"));
});
afterEach(() => vi.useRealTimers());

const feedList = () => screen.findByRole("list", { name: "Activity" });

describe("Activity", () => {
  it("reads the feed as sentences with relative times, newest first, margin updates left out", async () => {
    gateway(() => ({ activities: [logged, moved, margin, unknown], next_cursor: null }));
    renderView(<Activity />, { url: "/activity" });

    const items = within(await feedList()).getAllByRole("listitem");
    await waitFor(() => expect(items[0]).toHaveTextContent("Ana Lima logged 2 h on Website"));
    expect(items[0]).toHaveTextContent("5 minutes ago");
    expect(within(items[0]).getByRole("link", { name: "Website" })).toHaveAttribute("href", `/projects/${WEBSITE}`);
    expect(items[1]).toHaveTextContent("Task Hero moved to Done");
    expect(items[1]).toHaveTextContent("by Ana Lima");
    expect(within(items[1]).getByRole("link", { name: "Hero" })).toHaveAttribute("href", `/projects/${WEBSITE}/board?task=t-1`);
    // An action without a sentence of its own still says something.
    expect(items[2]).toHaveTextContent("Ana Lima: Webhook endpoint created");
    expect(items).toHaveLength(3);
    expect(screen.queryByText(/margin is now/)).not.toBeInTheDocument();

    await userEvent.click(screen.getByLabelText("Margin and forecast updates"));
    expect(await screen.findByText(/margin is now/)).toHaveTextContent("Website's margin is now 60.0 %");
  });

  it("filters by project and entity type, and pages on with the cursor", async () => {
    const gw = gateway(({ query }) =>
      query.get("cursor") === "c-2"
        ? { activities: [unknown], next_cursor: null }
        : { activities: [logged], next_cursor: "c-2" });
    const user = userEvent.setup();
    renderView(<Activity />, { url: "/activity" });

    await feedList();
    await user.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(within(screen.getByRole("list", { name: "Activity" })).getAllByRole("listitem")).toHaveLength(2));
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();

    await waitFor(() => expect(within(screen.getByLabelText("Project")).getByRole("option", { name: "Rebrand" })).toBeInTheDocument());
    await user.selectOptions(screen.getByLabelText("Project"), "Rebrand");
    await user.selectOptions(screen.getByLabelText("Type"), "Time entries");
    await waitFor(() => {
      const last = gw.to("GET /activity").at(-1)!;
      expect(last.query.get("project_id")).toBe(REBRAND);
      expect(last.query.get("entity_type")).toBe("entry");
      expect(last.query.get("cursor")).toBeNull();
    });
    expect(gw.to("GET /activity")[0].query.get("limit")).toBe("50");
  });
});

/** A WebSocket the LiveProvider opens, driven by the test. */
class FakeSocket {
  static last: FakeSocket | null = null;
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send() {}
  close() {}
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  deliver(message: object) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

describe("Activity, live", () => {
  it("puts an event from the socket at the top once the feed has recorded it, without a reload", async () => {
    vi.stubGlobal("WebSocket", FakeSocket);
    // The feed records the event a moment after the socket relays it: the first read after
    // the event does not have it yet.
    let recorded = false;
    let delivered = false;
    let readsAfterEvent = 0;
    const fresh = activity("ev-9", "entry.created", { hours: "1.50" }, "2026-12-02T09:59:50Z", { project_id: REBRAND });
    const gw = gateway(() => {
      if (delivered) readsAfterEvent += 1;
      if (readsAfterEvent >= 2) recorded = true;
      return { activities: recorded ? [fresh, logged] : [logged], next_cursor: null };
    });
    renderView(<LiveProvider><Activity /></LiveProvider>, { url: "/activity" });

    await waitFor(() => expect(within(screen.getByRole("list", { name: "Activity" })).getAllByRole("listitem")).toHaveLength(1));
    await waitFor(() => expect(FakeSocket.last).not.toBeNull());
    act(() => FakeSocket.last!.open());
    act(() => {
      delivered = true;
      FakeSocket.last!.deliver({ type: "time:entry:created", id: "ev-9", ts: "2026-12-02T09:59:50Z", data: { project_id: REBRAND, hours: 1.5 } });
    });

    const list = screen.getByRole("list", { name: "Activity" });
    await waitFor(() => expect(within(list).getAllByRole("listitem")[0]).toHaveTextContent("Ana Lima logged 1.5 h on Rebrand"));
    expect(within(within(list).getAllByRole("listitem")[0]).getByText("New")).toBeInTheDocument();
    expect(await screen.findByText("1 new event since this page opened")).toBeInTheDocument();
    // Asked again until it was there, then no more.
    expect(readsAfterEvent).toBe(2);
    const reads = gw.to("GET /activity").length;
    await new Promise((r) => setTimeout(r, 900));
    expect(gw.to("GET /activity")).toHaveLength(reads);
  });
});
