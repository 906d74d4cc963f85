import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { Margin } from "../../api/types";
import { sampleProject } from "./fixtures";
import ProjectList from "./ProjectList";
import { currentPath, fakeGateway, invalid, me, renderView } from "../../test-utils";

const margin: Margin = {
  currency: "USD",
  budget: "20000.00",
  revenue: "20000.00",
  labor_cost: "11500.00",
  expense_cost: "0.00",
  cost: "11500.00",
  margin_dollar: "8500.00",
  margin_percent: "42.50",
  hours_logged: 115,
  billable_hours: 100,
  uncosted_hours: 0,
  budget_used_percent: "57.50",
  hours_remaining: null,
  days_remaining: 29,
  trend: "stable",
  updated_at: "2026-12-02T04:26:19Z",
};

const project = sampleProject;

const open = () => renderView(<ProjectList />, { route: "/projects", url: "/projects" });

describe("ProjectList", () => {
  it("shows a project's margin percent in its tone and its budget used", async () => {
    fakeGateway({
      "GET /projects": {
        projects: [project({ margin }), project({ id: "p-2", name: "Brand refresh", margin: null })],
        next_cursor: null,
      },
    });
    open();

    const card = await screen.findByRole("listitem", { name: "Web app" });
    const figure = within(card).getByText("42.5 %");
    expect(figure).toHaveClass("tone-good");
    expect(within(card).getByText("Acme")).toBeInTheDocument();
    expect(within(card).getByRole("meter", { name: "Budget used" })).toHaveAttribute("aria-valuetext", "57.5 %");
    expect(within(card).getByRole("link", { name: "Web app" })).toHaveAttribute("href", "/projects/p-1");
    expect(within(screen.getByRole("listitem", { name: "Brand refresh" })).getByText("Pending")).toBeInTheDocument();
  });

  it("shows no margin at all to a reader whose answer has none", async () => {
    fakeGateway({ "GET /auth/me": me("member"), "GET /projects": { projects: [project({})], next_cursor: null } });
    open();

    const card = await screen.findByRole("listitem", { name: "Web app" });
    expect(within(card).queryByText("Margin")).not.toBeInTheDocument();
    expect(within(card).queryByRole("meter")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "New project" })).not.toBeInTheDocument();
  });

  it("sends the status filter and search to GET /projects", async () => {
    const gateway = fakeGateway({ "GET /projects": { projects: [], next_cursor: null } });
    const user = userEvent.setup();
    open();
    await screen.findByText(/No projects yet/);

    await user.selectOptions(screen.getByLabelText("Status"), "On hold");
    await user.type(screen.getByLabelText("Search"), "acme");

    await waitFor(() => {
      const last = gateway.to("GET /projects").at(-1)!;
      expect(last.query.get("status")).toBe("on_hold");
      expect(last.query.get("q")).toBe("acme");
    });
    expect(await screen.findByText("No projects match these filters.")).toBeInTheDocument();
  });

  it("creates a project with a new client and opens it", async () => {
    const gateway = fakeGateway({
      "GET /auth/me": me("manager", { organization: { currency: "EUR" } }),
      "GET /projects": { projects: [], next_cursor: null },
      "GET /clients": { clients: [{ id: "c-1", name: "Acme", email: null, currency: "USD" }], next_cursor: null },
      "POST /projects": project({ id: "p-new", name: "Mobile app" }),
    });
    const user = userEvent.setup();
    open();

    await user.click(await screen.findByRole("button", { name: "New project" }));
    const form = screen.getByRole("region", { name: "New project" });
    await user.type(within(form).getByLabelText("Project name"), "Mobile app");
    await within(form).findByRole("option", { name: "Acme" });
    await user.selectOptions(within(form).getByLabelText("Client"), "New client…");
    await user.type(within(form).getByLabelText("New client name"), "Globex");
    await user.selectOptions(within(form).getByLabelText("Budget type"), "Time and materials");
    await user.type(within(form).getByLabelText("Budget total"), "12000.50");
    expect(within(form).getByLabelText("Currency")).toHaveValue("EUR");
    await user.type(within(form).getByLabelText("Start date"), "2027-01-04");
    await user.type(within(form).getByLabelText("End date"), "2027-03-26");
    await user.selectOptions(within(form).getByLabelText("Status"), "Active");
    await user.click(within(form).getByRole("button", { name: "Create project" }));

    expect(await currentPath()).toHaveTextContent("/projects/p-new");
    const [post] = gateway.to("POST /projects");
    expect(post.body).toEqual({
      name: "Mobile app",
      client_name: "Globex",
      budget_type: "time_and_materials",
      budget_total: "12000.50",
      budget_currency: "EUR",
      start_date: "2027-01-04",
      end_date: "2027-03-26",
      status: "active",
    });
    expect(post.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("shows the gateway's field errors next to their fields", async () => {
    fakeGateway({
      "GET /projects": { projects: [], next_cursor: null },
      "GET /clients": { clients: [], next_cursor: null },
      "POST /projects": invalid("end_date", "must not be before start_date"),
    });
    const user = userEvent.setup();
    open();

    await user.click(await screen.findByRole("button", { name: "New project" }));
    await user.type(screen.getByLabelText("Project name"), "Late");
    await user.click(screen.getByRole("button", { name: "Create project" }));

    expect(await screen.findByText("must not be before start_date")).toBeInTheDocument();
    expect(screen.getByLabelText(/^End date/).closest<HTMLElement>(".field")).toHaveTextContent("must not be before start_date");
  });
});
