import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { currentPath, fakeGateway, renderView } from "../../test-utils";
import { SearchBox } from "./SearchBox";
import { snippetParts } from "./snippet";

const WEBSITE = "p-web";

function gateway() {
  return fakeGateway({
    "GET /search": {
      results: [
        { type: "task", id: "t-1", title: "Home page hero", project_id: WEBSITE, snippet: "Hero banner for the <mark>website</mark>" },
        { type: "project", id: WEBSITE, title: "Website", project_id: WEBSITE, snippet: "<mark>Website</mark> <b>relaunch</b>" },
        { type: "comment", id: "c-1", title: "Home page hero", project_id: WEBSITE, task_id: "t-9", snippet: "needs a <mark>website</mark> banner" },
      ],
    },
    "GET /projects": { projects: [{ id: WEBSITE, name: "Website", status: "active" }], next_cursor: null },
  });
}

const field = () => screen.findByRole("searchbox", { name: "Search Labs" });

describe("SearchBox", () => {
  it("asks once the typing pauses, not at every key", async () => {
    const gw = gateway();
    const user = userEvent.setup();
    renderView(<SearchBox />, { route: "/" });
    await user.type(await field(), "website");
    await screen.findByRole("region", { name: "Search results" });
    await waitFor(() => expect(gw.to("GET /search").map((c) => c.query.get("q"))).toEqual(["website"]));
    expect(gw.to("GET /search")[0].query.get("limit")).toBe("20");
  });

  it("groups the results by kind, each a link to its project or to the task on its board", async () => {
    gateway();
    const user = userEvent.setup();
    renderView(<SearchBox />, { route: "/" });
    await user.type(await field(), "website");

    const projects = await screen.findByRole("region", { name: "Projects" });
    expect(within(projects).getByRole("link", { name: /^Website/ })).toHaveAttribute("href", `/projects/${WEBSITE}`);
    const tasks = screen.getByRole("region", { name: "Tasks" });
    expect(within(tasks).getByRole("link", { name: /^Home page hero/ })).toHaveAttribute("href", `/projects/${WEBSITE}/board?task=t-1`);
    expect(await within(tasks).findByText("· Website")).toBeInTheDocument();
    const comments = screen.getByRole("region", { name: "Comments" });
    expect(within(comments).getByRole("link", { name: /^Comment on Home page hero/ })).toHaveAttribute("href", `/projects/${WEBSITE}/board?task=t-9`);
    // The words that matched are marked; any other markup is text, never HTML.
    expect(within(tasks).getByText("website", { selector: "mark" })).toBeInTheDocument();
    expect(within(projects).getByText(/<b>relaunch<\/b>/)).toBeInTheDocument();
    expect(screen.getAllByRole("region").map((r) => r.getAttribute("aria-label"))).toEqual(["Search results", "Projects", "Tasks", "Comments"]);
  });

  it("goes through the results with the arrow keys, follows one with Enter, and closes with Escape", async () => {
    // A laptop: the field stays in the bar when the results close.
    vi.stubGlobal("matchMedia", (q: string) => ({ matches: q === "(min-width: 900px)" }));
    gateway();
    const user = userEvent.setup();
    renderView(<SearchBox />, { route: "/" });
    const input = await field();
    await user.type(input, "website");
    await screen.findByRole("region", { name: "Projects" });

    await user.keyboard("{ArrowDown}");
    expect(screen.getByRole("link", { name: /^Website/ })).toHaveFocus();
    await user.keyboard("{ArrowDown}");
    expect(screen.getByRole("link", { name: /^Home page hero/ })).toHaveFocus();
    await user.keyboard("{ArrowUp}{ArrowUp}");
    expect(input).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("region", { name: "Search results" })).not.toBeInTheDocument();
    expect(input).toHaveFocus();

    await user.keyboard("{Enter}");
    await screen.findByRole("region", { name: "Projects" });
    await user.keyboard("{Enter}");
    expect(await currentPath()).toHaveTextContent(`/projects/${WEBSITE}`);
  });

  it("on a phone, opens from its button and gives the focus back to it on Escape", async () => {
    gateway();
    const user = userEvent.setup();
    renderView(<SearchBox />, { route: "/" });
    const button = await screen.findByRole("button", { name: "Search" });
    await user.click(button);
    expect(button).toHaveAttribute("aria-expanded", "true");
    await waitFor(() => expect(screen.getByRole("searchbox")).toHaveFocus());
    await user.keyboard("web{Escape}");
    expect(button).toHaveFocus();
    expect(button).toHaveAttribute("aria-expanded", "false");
  });

  it("says when nothing matches", async () => {
    fakeGateway({ "GET /search": { results: [] } });
    const user = userEvent.setup();
    renderView(<SearchBox />, { route: "/" });
    await user.type(await field(), "zebra");
    expect(await screen.findByText("Nothing matches “zebra”.", { selector: ".search-status" })).toBeInTheDocument();
  });
});

describe("snippetParts", () => {
  it("marks what the gateway wrapped in <mark> and keeps the rest as text", () => {
    expect(snippetParts("a <mark>b</mark> <i>c</i> <mark>d</mark>")).toEqual([
      { text: "a ", marked: false },
      { text: "b", marked: true },
      { text: " <i>c</i> ", marked: false },
      { text: "d", marked: true },
    ]);
  });
});
