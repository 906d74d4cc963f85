import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { FileMeta, Margin, Project, Sprint } from "../../api/types";
import ProjectDetail from "./ProjectDetail";
import { sampleProject } from "./fixtures";
import { fakeGateway, me, problem, renderView, reply, type Call } from "../../test-utils";

const margin: Margin = {
  currency: "USD",
  budget: "20000.00",
  revenue: "20000.00",
  labor_cost: "16000.00",
  expense_cost: "1000.00",
  cost: "17000.00",
  margin_dollar: "3000.00",
  margin_percent: "15.00",
  hours_logged: 160,
  billable_hours: 150.5,
  uncosted_hours: 0,
  budget_used_percent: "85.00",
  hours_remaining: null,
  days_remaining: 12,
  trend: "down",
  updated_at: "2026-12-02T04:26:19Z",
};

const project = sampleProject({
  team_allocation: [
    { resource_id: "r-1", name: "Ada", allocated_hours: 20, start_date: "2026-11-02", end_date: "2026-12-31", tentative: false },
  ],
});

const sprint: Sprint = {
  id: "s-1",
  project_id: "p-1",
  name: "Sprint 1",
  goal: "Sign-in works",
  start_date: "2026-12-01",
  end_date: "2026-12-14",
  status: "planning",
  total_points: 8,
  completed_points: 3,
};

const file: FileMeta = {
  id: "f-2",
  name: "brief.pdf",
  mime_type: "application/pdf",
  size_bytes: 2048,
  version: 2,
  sha256: "ab",
  created_at: "2026-12-02T04:26:25Z",
};

function open(tab = "") {
  renderView(<ProjectDetail />, { route: "/projects/:projectId/*", url: `/projects/p-1${tab}` });
}

describe("ProjectDetail", () => {
  it("shows a manager the margin figures and the team", async () => {
    fakeGateway({ "GET /projects/p-1": { ...project, margin } });
    open();

    expect(await screen.findByRole("heading", { name: "Web app", level: 1 })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");
    expect(within(screen.getByRole("group", { name: "Margin %" })).getByText("15.0 %")).toBeInTheDocument();
    expect(screen.getByRole("group", { name: "Margin %" })).toHaveClass("tone-warn");
    expect(within(screen.getByRole("group", { name: "Budget used" })).getByText("85.0 %")).toBeInTheDocument();
    expect(within(screen.getByRole("group", { name: "Hours logged" })).getByText("150.5 h billable")).toBeInTheDocument();
    expect(within(screen.getByRole("group", { name: "Days remaining" })).getByText("12")).toBeInTheDocument();
    expect(within(screen.getByRole("group", { name: "Trend" })).getByText("Declining")).toBeInTheDocument();
    expect(screen.getByText("Ada")).toBeInTheDocument();
  });

  it("shows a member no margin and no status control", async () => {
    fakeGateway({ "GET /auth/me": me("member"), "GET /projects/p-1": project });
    open();

    await screen.findByRole("heading", { name: "Web app", level: 1 });
    expect(screen.queryByRole("group", { name: "Margin %" })).not.toBeInTheDocument();
    expect(screen.queryByText(/margin/i)).not.toBeInTheDocument();
    expect(screen.queryByLabelText("Project status")).not.toBeInTheDocument();
  });

  it("lets a manager change the project's status", async () => {
    let current = project;
    const gateway = fakeGateway({
      "GET /projects/p-1": () => current,
      "PATCH /projects/p-1": (call: Call) => {
        current = { ...current, ...(call.body as Partial<Project>) };
        return current;
      },
    });
    const user = userEvent.setup();
    open();

    await user.selectOptions(await screen.findByLabelText("Project status"), "On hold");

    await waitFor(() => expect(gateway.to("PATCH /projects/p-1")[0]?.body).toEqual({ status: "on_hold" }));
    expect(await screen.findByText("On hold", { selector: ".badge" })).toBeInTheDocument();
  });

  it("sends back the ETag the project was read with as If-Match, then the one its PATCH answered", async () => {
    let current = project;
    let version = 1;
    const gateway = fakeGateway({
      "GET /projects/p-1": () => reply(200, current, { ETag: `"v${version}"` }),
      "PATCH /projects/p-1": (call: Call) => {
        if (call.headers.get("If-Match") !== `"v${version}"`) return problem(412, "the project changed");
        current = { ...current, ...(call.body as Partial<Project>) };
        version += 1;
        return reply(200, current, { ETag: `"v${version}"` });
      },
    });
    const user = userEvent.setup();
    open();

    await user.selectOptions(await screen.findByLabelText("Project status"), "On hold");
    expect(await screen.findByText("On hold", { selector: ".badge" })).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("Project status"), "Active");
    expect(await screen.findByText("Active", { selector: ".badge" })).toBeInTheDocument();

    expect(gateway.to("PATCH /projects/p-1").map((c) => c.headers.get("If-Match"))).toEqual(['"v1"', '"v2"']);
    expect(screen.queryByText(/Someone changed this project/)).not.toBeInTheDocument();
  });

  it("says someone else changed the project when the gateway refuses a stale If-Match, and reloads it", async () => {
    // Bo changed the project after this page read it: the page holds v1, the gateway v2.
    let current: Project = { ...project, status: "planning" };
    let served = 1;
    const gateway = fakeGateway({
      "GET /projects/p-1": () => reply(200, current, { ETag: `"v${served}"` }),
      "PATCH /projects/p-1": (call: Call) => {
        if (call.headers.get("If-Match") !== '"v2"') return problem(412, "If-Match does not match");
        current = { ...current, ...(call.body as Partial<Project>) };
        return reply(200, current, { ETag: '"v3"' });
      },
    });
    const user = userEvent.setup();
    open();

    const status = await screen.findByLabelText("Project status");
    current = { ...project, status: "active" };
    served = 2;
    await user.selectOptions(status, "On hold");

    const note = (await screen.findByText("Someone changed this project meanwhile — reload to see their changes.")).closest<HTMLElement>("[role=alert]")!;
    expect(note).not.toHaveTextContent("Precondition Failed");
    expect(gateway.to("PATCH /projects/p-1")[0].headers.get("If-Match")).toBe('"v1"');
    expect(status).toHaveValue("planning"); // nothing was saved

    await user.click(within(note).getByRole("button", { name: "Reload" }));
    expect(await screen.findByText("Active", { selector: ".badge" })).toBeInTheDocument(); // their change
    await waitFor(() => expect(screen.queryByText(/Someone changed this project/)).not.toBeInTheDocument());
    expect(screen.getByLabelText("Project status")).toHaveValue("active");

    // Now the change is made on what is stored, with its tag.
    await user.selectOptions(screen.getByLabelText("Project status"), "On hold");
    expect(await screen.findByText("On hold", { selector: ".badge" })).toBeInTheDocument();
    expect(gateway.to("PATCH /projects/p-1").map((c) => c.headers.get("If-Match"))).toEqual(['"v1"', '"v2"']);
  });

  it("sends no If-Match when the gateway gave no ETag", async () => {
    const gateway = fakeGateway({ "GET /projects/p-1": project, "PATCH /projects/p-1": { ...project, status: "on_hold" } });
    const user = userEvent.setup();
    open();

    await user.selectOptions(await screen.findByLabelText("Project status"), "On hold");
    await waitFor(() => expect(gateway.to("PATCH /projects/p-1")).toHaveLength(1));
    expect(gateway.to("PATCH /projects/p-1")[0].headers.has("If-Match")).toBe(false);
  });

  it("starts a planned sprint and shows its points", async () => {
    const gateway = fakeGateway({
      "GET /projects/p-1": project,
      "GET /projects/p-1/sprints": { sprints: [sprint], next_cursor: null },
      "PATCH /sprints/s-1": { ...sprint, status: "active" },
    });
    const user = userEvent.setup();
    open("/sprints");

    const card = await screen.findByRole("listitem", { name: "Sprint 1" });
    expect(within(card).getByRole("meter", { name: "Points completed" })).toHaveAttribute("aria-valuetext", "3 of 8 points");
    await user.click(within(card).getByRole("button", { name: "Start sprint" }));

    await waitFor(() => expect(gateway.to("PATCH /sprints/s-1")[0]?.body).toEqual({ status: "active" }));
  });

  it("shows the project's recent activity, asked for by project, with a link to all of it", async () => {
    const gateway = fakeGateway({
      "GET /projects/p-1": project,
      "GET /projects": { projects: [project], next_cursor: null },
      "GET /organizations/current/members": {
        members: [{ user: { id: "u-1", email: "ana@studio.test", first_name: "Ana", last_name: "Lima" }, role: "manager" }],
        next_cursor: null,
      },
      "GET /activity": {
        activities: [
          { id: "a-2", action: "project.margin_updated", entity_type: "project", entity_id: "p-1", project_id: "p-1", user_id: null, metadata: { margin: { margin_percent: "12" } }, created_at: "2026-12-02T10:00:00Z" },
          { id: "a-1", action: "entry.created", entity_type: "entry", entity_id: "e-1", project_id: "p-1", user_id: "u-1", metadata: { hours: "3.00" }, created_at: "2026-12-02T09:59:00Z" },
        ],
        next_cursor: null,
      },
    });
    open();

    const panel = await screen.findByRole("region", { name: "Recent activity" });
    const items = within(await within(panel).findByRole("list", { name: "Recent activity" })).getAllByRole("listitem");
    await waitFor(() => expect(items[0]).toHaveTextContent("Ana Lima logged 3 h on Web app"));
    expect(items).toHaveLength(1);
    // The margin's own updates are the margin tiles' business, not this list's.
    expect(within(panel).queryByText(/margin is now/)).not.toBeInTheDocument();
    expect(within(panel).getByRole("link", { name: "All activity" })).toHaveAttribute("href", "/activity?project=p-1");
    expect(gateway.to("GET /activity")[0].query.get("project_id")).toBe("p-1");
  });

  it("uploads a file as multipart and downloads one with the bearer token", async () => {
    const gateway = fakeGateway({
      "GET /projects/p-1": project,
      "GET /projects/p-1/files": { files: [file, { ...file, id: "f-1", version: 1 }], next_cursor: null },
      "POST /projects/p-1/files": { ...file, id: "f-3", version: 3 },
      "GET /files/f-2/content": new Blob(["%PDF"], { type: "application/pdf" }),
    });
    const createObjectURL = vi.fn(() => "blob:brief");
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    const user = userEvent.setup();
    open("/files");

    expect(await screen.findByText("v2")).toBeInTheDocument();
    expect(screen.getByText("1 earlier version")).toBeInTheDocument();
    await user.upload(screen.getByLabelText(/^File/, { selector: "input" }), new File(["%PDF"], "brief.pdf", { type: "application/pdf" }));
    await user.click(screen.getByRole("button", { name: "Upload" }));
    expect(await screen.findByText("Uploaded brief.pdf as version 3.")).toBeInTheDocument();
    const [post] = gateway.to("POST /projects/p-1/files");
    expect(post.body).toBeInstanceOf(FormData);
    expect(((post.body as FormData).get("file") as File).name).toBe("brief.pdf");

    await user.click(screen.getByRole("button", { name: "Download brief.pdf version 2" }));
    await waitFor(() => expect(click).toHaveBeenCalled());
    const [get] = gateway.to("GET /files/f-2/content");
    expect(get.headers.get("Authorization")).toBe("Bearer test-access");
    expect(createObjectURL).toHaveBeenCalled();
    click.mockRestore();
  });
});
