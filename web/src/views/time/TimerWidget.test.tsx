import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { fakeGateway, problem, renderView, type Call } from "../../test-utils";
import { entry, WEBSITE } from "./fixtures";
import TimerWidget from "./TimerWidget";

const NOW = new Date("2026-12-02T10:00:00Z");

let running: boolean;
let calls: Call[];

beforeEach(() => {
  // Only the clock and the widget's tick are faked: the query client's own timers stay real.
  vi.useFakeTimers({ toFake: ["Date", "setInterval", "clearInterval"] });
  vi.setSystemTime(NOW);
  running = true;
  calls = fakeGateway({
    "GET /timers/current": () =>
      running
        ? entry({ is_running: true, hours: null, started_at: new Date(NOW.getTime() - 65_000).toISOString() })
        : problem(404, "No timer is running."),
    [`GET /projects/${WEBSITE}`]: { id: WEBSITE, name: "Website", status: "active" },
    "POST /timers/stop": () => {
      running = false;
      return entry({ hours: 0.02, ended_at: NOW.toISOString() });
    },
  }).calls;
});

afterEach(() => vi.useRealTimers());

describe("TimerWidget", () => {
  it("counts up each second from the entry's started_at, not from when it was loaded", async () => {
    renderView(<TimerWidget />, { url: "/time" });
    expect(await screen.findByText("0:01:05")).toBeInTheDocument();
    expect(await screen.findByText("Website")).toBeInTheDocument();

    act(() => vi.advanceTimersByTime(3000));
    expect(screen.getByText("0:01:08")).toBeInTheDocument();

    act(() => vi.advanceTimersByTime(60_000));
    expect(screen.getByText("0:02:08")).toBeInTheDocument();
  });

  it("stops the timer with POST /timers/stop and then offers to start one", async () => {
    renderView(<TimerWidget />, { url: "/time" });
    await userEvent.click(await screen.findByRole("button", { name: "Stop timer" }));

    await waitFor(() => expect(calls.some((c) => c.method === "POST" && c.path === "/timers/stop")).toBe(true));
    const stop = calls.find((c) => c.path === "/timers/stop")!;
    expect(stop.headers.get("Idempotency-Key")).toBeTruthy();
    expect(await screen.findByRole("link", { name: /Start timer/ })).toHaveAttribute("href", "/time");
  });

  it("shows a link to start a timer when none runs (404)", async () => {
    running = false;
    renderView(<TimerWidget />, { url: "/time" });
    expect(await screen.findByRole("link", { name: /Start timer/ })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Stop timer" })).not.toBeInTheDocument();
  });
});
