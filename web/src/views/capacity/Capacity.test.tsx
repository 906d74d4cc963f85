import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { CapacityWeek } from "../../api/types";
import { fakeGateway, me, renderView, type Call } from "../../test-utils";
import Capacity from "./Capacity";

const ANA = "11111111-1111-1111-1111-111111111111";
const BO = "22222222-2222-2222-2222-222222222222";

function week(weekStart: string, ana: [number, number, number], bo: [number, number, number]): CapacityWeek {
  const line = (id: string, name: string, [available, allocated, tentative]: [number, number, number]) => ({
    resource_id: id, name, available_hours: available, allocated_hours: allocated, tentative_hours: tentative,
    utilization_percent: available ? (allocated / available) * 100 : null,
  });
  return {
    week_start: weekStart,
    total_available_hours: ana[0] + bo[0],
    total_allocated_hours: ana[1] + bo[1],
    total_tentative_hours: ana[2] + bo[2],
    utilization_percent: ((ana[1] + bo[1]) / (ana[0] + bo[0])) * 100,
    by_resource: [line(ANA, "Ana", ana), line(BO, "Bo", bo)],
  };
}

let calls: Call[];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-12-09T10:00:00")); // a Wednesday: this week starts Dec 7
  calls = fakeGateway({
    "GET /auth/me": me("manager", { organization: { name: "Acme" } }),
    "GET /capacity/overview": ({ query }) => ({
      weeks: [
        // Ana: 46 of 40 confirmed, 8 tentative. Bo: 20 of 40 confirmed, 16 tentative — still pale.
        week(query.get("start_week")!, [40, 46, 8], [40, 20, 16]),
        week("2026-12-14", [40, 30, 0], [32, 32, 0]),
      ],
    }),
    "GET /resources": { resources: [{ id: ANA, name: "Ana", capacity_hours_per_week: 40 }], next_cursor: null },
    "GET /projects": { projects: [{ id: "p1", name: "Website", status: "active" }], next_cursor: null },
    "POST /allocations": ({ body }) => ({ id: "a1", ...(body as object) }),
  }).calls;
});

afterEach(() => vi.useRealTimers());

const renderCapacity = () => renderView(<Capacity />, { url: "/capacity" });

describe("Capacity heatmap", () => {
  it("marks a person over 100 % as over-allocated and keeps tentative hours out of the colour", async () => {
    renderCapacity();

    const ana = await screen.findByRole("cell", {
      name: "Ana, week of Dec 7: 46 of 40 h allocated, over-allocated, 8 h tentative",
    });
    expect(ana).toHaveClass("heat-load-over");
    expect(within(ana).getByText("!")).toBeInTheDocument();
    expect(within(ana).getByText("+8 tentative")).toBeInTheDocument();

    // 20 confirmed + 16 tentative of 40 would be 90 % "full"; confirmed alone is 50 %: "ok".
    const bo = screen.getByRole("cell", { name: /^Bo, week of Dec 7: 20 of 40 h allocated/ });
    expect(bo).toHaveClass("heat-load-ok");
    expect(bo).not.toHaveClass("heat-load-full");
    expect(within(bo).getByText("50%")).toBeInTheDocument();

    // Exactly full is full, not over.
    expect(screen.getByRole("cell", { name: /^Bo, week of Dec 14: 32 of 32 h allocated, fully booked$/ })).toHaveClass("heat-load-full");

    // Key numbers first: this week's team utilization (66 of 80) and who is over-allocated.
    expect(within(screen.getByRole("group", { name: "Utilization this week" })).getByText("83 %")).toBeInTheDocument();
    expect(within(screen.getByRole("group", { name: "People over-allocated" })).getByText("1")).toBeInTheDocument();

    const overview = calls.find((c) => c.path === "/capacity/overview")!;
    expect(overview.query.get("start_week")).toBe("2026-12-07");
    expect(overview.query.get("weeks")).toBe("12");
  });

  it("asks for the next 12 weeks", async () => {
    const user = userEvent.setup();
    renderCapacity();
    expect(await screen.findByRole("columnheader", { name: /^Dec 7/ })).toHaveTextContent("Dec 7this week");
    await user.click(screen.getByRole("button", { name: /Next 12 weeks/ }));
    await screen.findByRole("cell", { name: /^Ana, week of Mar 1:/ });
    const starts = calls.filter((c) => c.path === "/capacity/overview").map((c) => c.query.get("start_week"));
    expect(starts).toEqual(["2026-12-07", "2027-03-01"]);
  });

  it("adds an allocation with hours per week as a number", async () => {
    const user = userEvent.setup();
    renderCapacity();
    const form = await screen.findByRole("region", { name: "Add allocation" });
    await screen.findByRole("option", { name: "Ana" });
    await screen.findByRole("option", { name: "Website" });
    await user.selectOptions(within(form).getByLabelText("Person"), "Ana");
    await user.selectOptions(within(form).getByLabelText("Project"), "Website");
    await user.type(within(form).getByLabelText("Hours per week"), "12");
    await user.click(within(form).getByLabelText("Tentative"));
    await user.click(within(form).getByRole("button", { name: "Add allocation" }));

    await screen.findByText("Ana: 12 h a week (tentative) added.");
    const post = calls.find((c) => c.method === "POST")!;
    expect(post.body).toEqual({
      resource_id: ANA,
      project_id: "p1",
      allocated_hours: 12,
      start_date: "2026-12-07",
      end_date: "2027-01-01",
      tentative: true,
    });
    expect(post.headers.get("Idempotency-Key")).toBeTruthy();
  });
});
