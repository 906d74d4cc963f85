import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { fakeGateway, invalid, me, problem, renderView, type RouteTable } from "../../test-utils";
import type { MarginSummary, Utilization } from "./queries";
import Reports from "./Reports";
import { utilizationTotals } from "./UtilizationReport";

const margins: MarginSummary = {
  projects: [
    { id: "p-1", name: "Website", client_name: "Acme", hours: 12.5, revenue: "1875.00", cost: "750.00", margin_dollar: "1125.00", margin_percent: "60.00", currency: "USD" },
    { id: "p-2", name: "Brand refresh", client_name: "Globex", hours: 4, revenue: "600.00", cost: "540.00", margin_dollar: "60.00", margin_percent: "10.00", currency: "USD" },
  ],
  totals: { id: null, name: "Total", client_name: null, hours: 16.5, revenue: "2475.00", cost: "1290.00", margin_dollar: "1185.00", margin_percent: "47.88", currency: "USD" },
  currency: "USD",
};

const people: Utilization = {
  resources: [
    { resource_id: "r-1", name: "Olive", available_hours: 40, allocated_hours: 32, logged_hours: 30.1, billable_hours: 24.2, utilization_percent: "75.25", billable_utilization_percent: "60.50" },
    { resource_id: "r-2", name: "Bo", available_hours: 20, allocated_hours: 10, logged_hours: 0.2, billable_hours: 0.1, utilization_percent: "1.00", billable_utilization_percent: "0.50" },
  ],
};

function gateway(extra: RouteTable = {}) {
  return fakeGateway({
    "GET /auth/me": me("manager"),
    "GET /clients": { clients: [{ id: "c-acme", name: "Acme" }, { id: "c-globex", name: "Globex" }], next_cursor: null },
    "GET /reports/margin-summary": ({ query }) => (query.get("format") ? new Blob(["name\n"], { type: "text/csv" }) : margins),
    "GET /reports/resource-utilization": people,
    ...extra,
  });
}

const open = (url = "/reports") => renderView(<Reports />, { url });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-12-16T10:00:00"));
});
afterEach(() => vi.useRealTimers());

describe("Reports", () => {
  it("asks for this month by default and shows each project's margin with the gateway's totals", async () => {
    const gw = gateway();
    open();

    const table = await screen.findByRole("table", { name: "Margin by project" });
    const website = within(table).getByRole("link", { name: "Website" }).closest("tr")!;
    expect(website).toHaveTextContent("12.5 h");
    expect(website).toHaveTextContent("$1,875.00");
    expect(within(website).getByText("60.0 %")).toHaveClass("tone-good");
    const total = within(table).getByRole("rowheader", { name: "Total" }).closest("tr")!;
    expect(total).toHaveTextContent("16.5 h");
    expect(total).toHaveTextContent("$1,185.00");
    expect(total).toHaveTextContent("47.9 %");

    const asked = gw.to("GET /reports/margin-summary")[0].query;
    expect([asked.get("start_date"), asked.get("end_date"), asked.get("client_id")]).toEqual(["2026-12-01", "2026-12-16", null]);
    expect(screen.getByRole("button", { name: "This month" })).toHaveAttribute("aria-pressed", "true");
  });

  it("adds up the people's hours and works the team's utilization out from them", async () => {
    gateway();
    open();
    const table = await screen.findByRole("table", { name: "Utilization by person" });
    const total = within(table).getByRole("rowheader", { name: "Total" }).closest("tr")!;
    const cells = within(total).getAllByRole("cell").map((c) => c.textContent);
    // 30.1 + 0.2 is 30.3, not 30.300000000000001; 30.3 of 60 available is 50.5 %.
    expect(cells).toEqual(["60 h", "42 h", "30.3 h", "24.3 h", "50.5 %", "40.5 %"]);
    expect(utilizationTotals([]).utilization_percent).toBeNull();
  });

  it("narrows the margin summary to a client and moves both reports to last month", async () => {
    const gw = gateway();
    const user = userEvent.setup();
    open();
    await screen.findByRole("table", { name: "Margin by project" });
    await waitFor(() => expect(within(screen.getByLabelText("Client")).getByRole("option", { name: "Globex" })).toBeInTheDocument());
    await user.selectOptions(screen.getByLabelText("Client"), "Globex");
    await waitFor(() => expect(gw.to("GET /reports/margin-summary").at(-1)!.query.get("client_id")).toBe("c-globex"));

    await user.click(screen.getByRole("button", { name: "Last month" }));
    await waitFor(() => {
      const last = gw.to("GET /reports/resource-utilization").at(-1)!.query;
      expect([last.get("start_date"), last.get("end_date")]).toEqual(["2026-11-01", "2026-11-30"]);
    });
    expect(gw.to("GET /reports/margin-summary").at(-1)!.query.get("client_id")).toBe("c-globex");
    expect(screen.getByLabelText("From")).toHaveValue("2026-11-01");
  });

  it("downloads the margin summary as CSV with the bearer token, for the range on screen", async () => {
    const gw = gateway();
    const createObjectURL = vi.fn(() => "blob:report");
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }));
    const clicked: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    const user = userEvent.setup();
    open("/reports?from=2026-10-01&to=2026-10-31&client=c-acme");

    await user.click(await screen.findByRole("button", { name: "Download the margin summary as CSV" }));
    await waitFor(() => expect(clicked).toEqual(["margin-summary-2026-10-01-2026-10-31.csv"]));
    const file = gw.to("GET /reports/margin-summary").find((c) => c.query.get("format"))!;
    expect(Object.fromEntries(file.query)).toEqual({ start_date: "2026-10-01", end_date: "2026-10-31", client_id: "c-acme", format: "csv" });
    expect(file.headers.get("Authorization")).toBe("Bearer test-access");
    expect(createObjectURL).toHaveBeenCalled();
    click.mockRestore();
  });

  it("says beside the end date what the gateway refuses about the range, once", async () => {
    const refused = invalid("end_date", "must not be before start_date");
    gateway({ "GET /reports/margin-summary": refused, "GET /reports/resource-utilization": refused });
    open("/reports?from=2026-12-10&to=2026-12-01");
    const to = await screen.findByLabelText("To");
    expect(await within(to.closest<HTMLElement>(".field")!).findByRole("alert")).toHaveTextContent("must not be before start_date");
    expect(screen.getAllByRole("alert")).toHaveLength(1);
  });

  it("tells a reader the margins are not theirs rather than showing an error, and still shows utilization", async () => {
    gateway({ "GET /reports/margin-summary": problem(403) });
    open();
    expect(await screen.findByText(/Margins are shown to managers/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /margin summary as/ })).not.toBeInTheDocument();
    expect(await screen.findByRole("table", { name: "Utilization by person" })).toBeInTheDocument();
  });
});
