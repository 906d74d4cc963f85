import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { NOT_A_NUMBER } from "../../api/numbers";
import type { Task, TaskStatus } from "../../api/types";
import ProjectDetail from "./ProjectDetail";
import { sampleProject } from "./fixtures";
import { fakeGateway, me, problem, renderView, type Answer, type Call } from "../../test-utils";

const project = sampleProject();

function task(id: string, title: string, status: TaskStatus): Task {
  return { id, project_id: "p-1", title, status, priority: "high", type: "feature", estimated_hours: 4 };
}

/** A gateway whose tasks change as PATCH /tasks/{id} is answered (or refused). */
function boardGateway(tasks: Task[], patch?: (call: Call) => Answer | Promise<Answer>, role = me("member")) {
  const saved = (call: Call) => {
    const id = call.path.split("/").at(-1);
    const t = tasks.find((x) => x.id === id)!;
    Object.assign(t, call.body);
    return { ...t };
  };
  return fakeGateway({
    "GET /auth/me": role,
    "GET /projects/p-1": project,
    "GET /projects/p-1/tasks": () => ({ tasks: tasks.map((t) => ({ ...t })), next_cursor: null }),
    "PATCH /tasks/t-1": patch ?? saved,
    "POST /projects/p-1/tasks": (call: Call) => task("t-9", (call.body as { title: string }).title, "backlog"),
  });
}

const column = (name: string) => screen.getByRole("region", { name: new RegExp(`^${name}`) });
const card = (title: string) => screen.findByRole("article", { name: title });

function openBoard() {
  renderView(<ProjectDetail />, { route: "/projects/:projectId/*", url: "/projects/p-1/board" });
}

describe("Board", () => {
  it("shows the task a link names (?task=), with the focus on it", async () => {
    boardGateway([task("t-1", "Login page", "backlog"), task("t-2", "Footer", "done")]);
    renderView(<ProjectDetail />, { route: "/projects/:projectId/*", url: "/projects/p-1/board?task=t-2" });

    const footer = await card("Footer");
    expect(footer).toHaveAttribute("aria-current", "true");
    expect(footer).toHaveFocus();
    expect(await card("Login page")).not.toHaveAttribute("aria-current");
  });

  it("lays tasks out by status under the Board tab", async () => {
    boardGateway([task("t-1", "Login page", "backlog"), task("t-2", "Footer", "done")]);
    openBoard();

    await card("Login page");
    expect(screen.getByRole("link", { name: "Board" })).toHaveAttribute("aria-current", "page");
    expect(within(column("Backlog")).getByRole("article", { name: "Login page" })).toBeInTheDocument();
    expect(within(column("Done")).getByRole("article", { name: "Footer" })).toBeInTheDocument();
  });

  it("moves a task with its Status menu: PATCH {status} and the card changes column", async () => {
    const gateway = boardGateway([task("t-1", "Login page", "backlog")]);
    const user = userEvent.setup();
    openBoard();

    await user.selectOptions(within(await card("Login page")).getByLabelText("Status"), "In progress");

    expect(within(column("In progress")).getByRole("article", { name: "Login page" })).toBeInTheDocument();
    expect(within(column("Backlog")).queryByRole("article")).not.toBeInTheDocument();
    // The card is a new element in its new column; the keyboard focus went with it.
    expect(within(column("In progress")).getByLabelText("Status")).toHaveFocus();
    await waitFor(() => expect(gateway.to("PATCH /tasks/t-1")).toHaveLength(1));
    expect(gateway.to("PATCH /tasks/t-1")[0].body).toEqual({ status: "in_progress" });
  });

  it("puts the card back and names the error when the move fails", async () => {
    let refuse!: (a: Answer) => void;
    const answered = new Promise<Answer>((resolve) => (refuse = resolve));
    boardGateway([task("t-1", "Login page", "backlog")], () => answered);
    const user = userEvent.setup();
    openBoard();

    await user.selectOptions(within(await card("Login page")).getByLabelText("Status"), "Done");
    // Optimistic: it shows in Done while the gateway thinks about it.
    expect(within(column("Done")).getByRole("article", { name: "Login page" })).toBeInTheDocument();

    refuse(problem(409, "The task was changed by someone else."));

    expect(await screen.findByText("The task was changed by someone else.", { exact: false })).toBeInTheDocument();
    expect(screen.getByText(/Could not move “Login page” to Done/)).toBeInTheDocument();
    await waitFor(() =>
      expect(within(column("Backlog")).getByRole("article", { name: "Login page" })).toBeInTheDocument(),
    );
    expect(within(column("Done")).queryByRole("article")).not.toBeInTheDocument();
    expect(within(await card("Login page")).getByLabelText("Status")).toHaveValue("backlog");
    expect(within(column("Backlog")).getByLabelText("Status")).toHaveFocus();
  });

  it("adds a task from the New task form", async () => {
    const gateway = boardGateway([]);
    const user = userEvent.setup();
    openBoard();

    await user.click(await screen.findByRole("button", { name: "New task" }));
    await user.type(screen.getByLabelText("Title"), "Checkout flow");
    await user.selectOptions(screen.getByLabelText("Type"), "Bug");
    await user.selectOptions(screen.getByLabelText("Priority"), "Urgent");
    await user.type(screen.getByLabelText("Estimate (hours)"), "6.5");
    await user.click(screen.getByRole("button", { name: "Add task" }));

    expect(await screen.findByText("Added “Checkout flow” to Backlog.")).toBeInTheDocument();
    const [post] = gateway.to("POST /projects/p-1/tasks");
    expect(post.body).toEqual({ title: "Checkout flow", type: "bug", priority: "urgent", estimated_hours: 6.5 });
    expect(post.headers.get("Idempotency-Key")).toBeTruthy();
  });

  it("refuses an estimate that is not a number beside its field, and reads a comma as a point", async () => {
    const gateway = boardGateway([]);
    const user = userEvent.setup();
    openBoard();

    await user.click(await screen.findByRole("button", { name: "New task" }));
    await user.type(screen.getByLabelText("Title"), "Checkout flow");
    const estimate = screen.getByLabelText("Estimate (hours)");
    await user.type(estimate, "six");
    await user.click(screen.getByRole("button", { name: "Add task" }));

    expect(await within(estimate.closest<HTMLElement>(".field")!).findByRole("alert")).toHaveTextContent(NOT_A_NUMBER);
    expect(estimate).toHaveAttribute("aria-invalid", "true");
    expect(gateway.to("POST /projects/p-1/tasks")).toHaveLength(0);

    await user.clear(estimate);
    await user.type(estimate, "1,5");
    await user.click(screen.getByRole("button", { name: "Add task" }));
    expect(await screen.findByText("Added “Checkout flow” to Backlog.")).toBeInTheDocument();
    expect(gateway.to("POST /projects/p-1/tasks").map((c) => c.body)).toEqual([
      { title: "Checkout flow", type: "feature", priority: "medium", estimated_hours: 1.5 },
    ]);
  });

  it("gives a viewer no way to change tasks", async () => {
    boardGateway([task("t-1", "Login page", "todo")], undefined, me("viewer"));
    openBoard();

    const loginPage = await card("Login page");
    expect(within(loginPage).queryByLabelText("Status")).not.toBeInTheDocument();
    expect(within(loginPage).queryByRole("button", { name: /Drag/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "New task" })).not.toBeInTheDocument();
  });
});
