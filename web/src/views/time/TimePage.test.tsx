import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { Role } from "../../api/types";
import { fakeGateway, invalid, me, problem, renderView, type Answer, type Call } from "../../test-utils";
import { entry, ME, WEBSITE } from "./fixtures";
import TimePage from "./TimePage";

const REBRAND = "33333333-3333-4333-8333-333333333333";
const ANA = "44444444-4444-4444-8444-444444444444";

let role: Role = "member";
let mine: ReturnType<typeof entry>[];
let everyone: ReturnType<typeof entry>[];
let onCreate: (call: Call) => Answer;
let onDelete: () => Answer;
let calls: Call[];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-12-02T10:00:00")); // a Wednesday: the week is Nov 30 – Dec 6
  role = "member";
  mine = [];
  everyone = [];
  onCreate = ({ body }) => entry(body as object);
  onDelete = () => undefined;
  calls = fakeGateway({
    "GET /auth/me": () => me(role, { user: { id: ME, email: "me@example.com" }, organization: { name: "Acme" } }),
    "GET /timers/current": problem(404, "No timer is running."),
    "GET /projects": {
      projects: [
        { id: REBRAND, name: "Rebrand", status: "planning" },
        { id: WEBSITE, name: "Website", status: "active" },
      ],
      next_cursor: null,
    },
    "GET /time-entries": ({ query }) => ({ time_entries: query.get("user_id") ? mine : everyone, next_cursor: null }),
    [`POST /projects/${WEBSITE}/time-entries`]: (call) => onCreate(call),
    "DELETE /time-entries/:id": () => onDelete(),
    "GET /organizations/current/members": {
      members: [{ user: { id: ANA, email: "ana@example.com", first_name: "Ana", last_name: "Lima" }, role: "member" }],
      next_cursor: null,
    },
    "POST /time-entries/:action": { time_entries: [] },
  }).calls;
});

afterEach(() => vi.useRealTimers());

const addTimeForm = () => screen.findByRole("form", { name: "Add time" });

describe("TimePage week grid", () => {
  it("asks for the caller's Monday-to-Sunday week and sums two entries of one project and day", async () => {
    mine = [
      entry({ date_worked: "2026-12-01", hours: 1.5, notes: "Wireframes" }),
      entry({ date_worked: "2026-12-01", hours: 2.25, notes: "Review" }),
      entry({ date_worked: "2026-12-03", hours: 4 }),
    ];
    renderView(<TimePage />, { url: "/time", route: "/time/*" });

    const grid = await screen.findByRole("table", { name: "Time by project and day" });
    const row = within(grid).getByRole("row", { name: /Website/ });
    const cells = within(row).getAllByRole("cell").map((c) => c.textContent);
    // Mon, Tue, Wed, Thu, Fri, Sat, Sun, Total
    expect(cells).toEqual(["", "3.75 h", "", "4 h", "", "", "", "7.75 h"]);

    const request = calls.find((c) => c.path === "/time-entries")!;
    expect(request.query.get("user_id")).toBe(ME);
    expect(request.query.get("date_from")).toBe("2026-11-30");
    expect(request.query.get("date_to")).toBe("2026-12-06");
    expect(request.query.get("limit")).toBe("500");
  });

  it("moves to the previous week", async () => {
    renderView(<TimePage />, { url: "/time", route: "/time/*" });
    await screen.findByText("No time logged this week yet.");
    await userEvent.click(screen.getByRole("button", { name: "Previous week" }));
    await waitFor(() =>
      expect(calls.some((c) => c.path === "/time-entries" && c.query.get("date_from") === "2026-11-23")).toBe(true),
    );
  });
});

describe("TimePage adding time", () => {
  it("sends the project's entry with hours as a number, the day, notes and billable", async () => {
    renderView(<TimePage />, { url: "/time", route: "/time/*" });
    const form = await addTimeForm();
    const user = userEvent.setup();
    await waitFor(() => expect(within(form).getByRole("option", { name: "Website" })).toBeInTheDocument());
    await user.selectOptions(within(form).getByLabelText(/^Project/), WEBSITE);
    await user.type(within(form).getByLabelText(/^Hours/), "1.5");
    await user.type(within(form).getByLabelText(/^Notes/), "Design review");
    await user.click(within(form).getByLabelText("Billable"));
    await user.click(within(form).getByRole("button", { name: "Add time" }));

    await waitFor(() => expect(calls.some((c) => c.method === "POST")).toBe(true));
    const post = calls.find((c) => c.method === "POST")!;
    expect(post.path).toBe(`/projects/${WEBSITE}/time-entries`);
    expect(post.body).toEqual({ hours: 1.5, date_worked: "2026-12-02", notes: "Design review", billable: false });
    expect(post.headers.get("Idempotency-Key")).toBeTruthy();
    expect(await within(form).findByRole("status")).toHaveTextContent("Added 1.5 h");
  });

  it("shows a 422 naming hours next to the Hours field", async () => {
    const message = "must be more than 0, at most 24, with at most 2 decimals";
    onCreate = () => invalid("hours", message);
    renderView(<TimePage />, { url: "/time", route: "/time/*" });
    const form = await addTimeForm();
    const user = userEvent.setup();
    await waitFor(() => expect(within(form).getByRole("option", { name: "Website" })).toBeInTheDocument());
    await user.selectOptions(within(form).getByLabelText(/^Project/), WEBSITE);
    const hoursInput = within(form).getByLabelText(/^Hours/);
    await user.type(hoursInput, "30");
    await user.click(within(form).getByRole("button", { name: "Add time" }));

    const hoursField = hoursInput.closest<HTMLElement>(".field")!;
    expect(await within(hoursField).findByRole("alert")).toHaveTextContent(message);
    expect(hoursInput).toHaveAttribute("aria-invalid", "true");
    // Placed beside its field, so not repeated in a note at the foot of the form.
    expect(within(form).getAllByRole("alert")).toHaveLength(1);
  });
});

describe("TimePage entries", () => {
  it("explains why a locked entry cannot be deleted", async () => {
    mine = [entry({ id: "e1", status: "approved", is_locked: true, locked_reason: "approved", hours: 2 })];
    onDelete = () => problem(409, "This time entry is approved and locked; an admin can reopen it.");
    renderView(<TimePage />, { url: "/time", route: "/time/*" });
    await userEvent.click(await screen.findByRole("button", { name: /^Delete/ }));
    await userEvent.click(screen.getByRole("button", { name: "Yes, delete" }));
    expect(await screen.findByText(/approved and locked; an admin can reopen it/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /^Edit/ })).not.toBeInTheDocument();
  });

  it("deletes an entry only once the deletion is confirmed", async () => {
    mine = [entry({ id: "e1", date_worked: "2026-12-01", hours: 2 })];
    const user = userEvent.setup();
    renderView(<TimePage />, { url: "/time", route: "/time/*" });
    const deleteEntry = () => screen.findByRole("button", { name: /^Delete Dec 1, 2026 Website/ });

    await user.click(await deleteEntry());
    expect(screen.getByText(/^Delete 2 h on Dec 1, 2026 Website\?/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    await user.click(await deleteEntry());
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);

    await user.click(screen.getByRole("button", { name: "Yes, delete" }));
    await waitFor(() => expect(calls.filter((c) => c.method === "DELETE").map((c) => c.path)).toEqual(["/time-entries/e1"]));
  });
});

describe("TimePage approvals", () => {
  it("is not shown to members", async () => {
    renderView(<TimePage />, { url: "/time", route: "/time/*" });
    await screen.findByText("No time logged this week yet.");
    expect(screen.queryByRole("region", { name: "Approvals" })).not.toBeInTheDocument();
    expect(calls.some((c) => c.path === "/time-entries" && !c.query.get("user_id"))).toBe(false);
  });

  it("sends a person's week back with the reason a manager gives", async () => {
    role = "manager";
    everyone = [
      entry({ user_id: ANA, status: "submitted", hours: 3 }),
      entry({ user_id: ANA, status: "submitted", hours: 1.5 }),
      entry({ user_id: ANA, status: "draft", hours: 8 }),
    ];
    renderView(<TimePage />, { url: "/time", route: "/time/*" });
    const sheet = await screen.findByRole("article", { name: "Ana Lima's timesheet" });
    expect(within(sheet).getByText("4.5 h")).toBeInTheDocument();

    const user = userEvent.setup();
    await user.click(within(sheet).getByRole("button", { name: "Reject Ana Lima" }));
    await user.type(within(sheet).getByLabelText(/^Reason/), "Split the review hours by task");
    await user.click(within(sheet).getByRole("button", { name: "Send back" }));

    await waitFor(() => expect(calls.some((c) => c.path === "/time-entries/reject")).toBe(true));
    expect(calls.find((c) => c.path === "/time-entries/reject")!.body).toEqual({
      user_id: ANA,
      date_from: "2026-11-30",
      date_to: "2026-12-06",
      reason: "Split the review hours by task",
    });
  });
});
