import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { Role } from "../api/types";
import { fakeGateway, me, problem, renderView } from "../test-utils";
import { Layout } from "./Layout";

function open(role: Role, url = "/") {
  fakeGateway({ "GET /auth/me": me(role), "GET /timers/current": problem(404), "GET /alerts": { alerts: [], unread_count: 0, next_cursor: null } });
  renderView(<Layout role={role}><p>View</p></Layout>, { url });
}

const main = () => screen.findByRole("navigation", { name: "Main" });
/** The links a phone's bar shows (the rest sit behind More; the sidebar shows them all). */
const bar = (nav: HTMLElement) =>
  within(nav).getAllByRole("link").filter((l) => !l.classList.contains("nav-overflow")).map((l) => l.getAttribute("href"));

describe("Layout", () => {
  it("gives an admin every view, Activity and Reports among them, and a search box", async () => {
    open("admin");
    const nav = await main();
    expect(within(nav).getAllByRole("link").map((l) => l.getAttribute("href"))).toEqual([
      "/", "/projects", "/time", "/invoices", "/capacity", "/alerts", "/activity", "/reports", "/organization", "/integrations",
    ]);
    expect(screen.getByRole("search")).toBeInTheDocument();
  });

  it("keeps a phone's bar to six links and puts the rest behind More", async () => {
    const user = userEvent.setup();
    open("manager", "/reports");
    const nav = await main();
    expect(bar(nav)).toEqual(["/", "/projects", "/time", "/invoices", "/capacity", "/alerts"]);
    const more = within(nav).getByRole("button", { name: "More" });
    // The view on screen is behind More: More says so.
    expect(more).toHaveClass("active");
    await user.click(more);
    const panel = document.getElementById("more-links")!;
    expect(within(panel).getAllByRole("link").map((l) => l.textContent)).toEqual(["≡Activity", "▧Reports", "⌂Organization"]);
    await user.keyboard("{Escape}");
    expect(more).toHaveAttribute("aria-expanded", "false");
  });

  it("shows a member Activity but not Reports, on a bar with room for all", async () => {
    open("member");
    const nav = await main();
    expect(bar(nav)).toEqual(["/", "/projects", "/time", "/capacity", "/alerts", "/activity"]);
    expect(within(nav).queryByRole("button", { name: "More" })).not.toBeInTheDocument();
    expect(within(nav).queryByRole("link", { name: /Reports/ })).not.toBeInTheDocument();
  });

  it("keeps a client to its portal: no staff views, no search", async () => {
    open("client");
    const nav = await main();
    expect(within(nav).getAllByRole("link").map((l) => l.getAttribute("href"))).toEqual(["/portal"]);
    expect(screen.queryByRole("search")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Search" })).not.toBeInTheDocument();
  });
});
