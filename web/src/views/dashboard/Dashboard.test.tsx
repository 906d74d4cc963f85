import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { fakeGateway, me, problem, renderView } from "../../test-utils";
import Dashboard from "./Dashboard";

vi.mock("../../components/charts/MarginChart", () => ({
  MarginChart: ({ label }: { label: string }) => <div role="img" aria-label={label} />,
}));

const row = (id: string, name: string, margin: string | null, trend = "stable") => ({
  id, name, client_name: "Acme", budget: "10000.00", actuals: "4000.00", margin_dollar: "1200.00",
  margin_percent: margin, margin_trend: trend, forecast_margin: "22.0", forecast_confidence: 70,
});

const routes = {
  "GET /auth/me": me("owner"),
  "GET /dashboards/metrics": {
    active_projects: 2, hours_this_week: 31.5, billable_hours_this_week: 28, utilization_percent: 78,
    revenue_mtd: "12500.00", outstanding_amount: "3000.00", overdue_invoices: 1, currency: "USD",
  },
  "GET /dashboards/profitability": {
    projects: [row("p1", "Website", "12.5", "down"), row("p2", "App", "41.0", "up")],
    summary: { currency: "USD", total_budget: "20000.00", total_actuals: "8000.00", total_margin: "2400.00", avg_margin_percent: "26.7", top_project: null, bottom_project: null },
  },
  "GET /dashboards/forecast": {
    projects_at_risk: [{ id: "p1", name: "Website", current_margin: "12.5", forecast_margin: "4.0", forecast_low: "-2", forecast_high: "9", risk_score: 8, days_remaining: 20, recommendation: "Move 10 h of senior work to a mid-level designer." }],
    resource_gaps: [],
  },
  "GET /projects/p1": { id: "p1", name: "Website", end_date: "2027-01-31" },
  "GET /projects/p2": { id: "p2", name: "App", end_date: null },
  "GET /projects/p1/margin-history": { margins: [{ date: "2026-11-30", revenue: "1", cost: "1", margin_dollar: "0", margin_percent: "12.5" }] },
  "GET /projects/p2/margin-history": { margins: [{ date: "2026-11-30", revenue: "1", cost: "1", margin_dollar: "0", margin_percent: "41.0" }] },
  "GET /projects/p1/forecast": { project_id: "p1", forecast_margin: "4.0", forecast_low: "-2", forecast_high: "9", forecast_confidence: 60, risk_score: 8, recommendation: null },
  "GET /projects/p2/forecast": problem(404),
};

test("an owner sees the key numbers, margins worst first, the risk and its recommendation", async () => {
  fakeGateway(routes);
  renderView(<Dashboard />);
  expect(await screen.findByRole("group", { name: "Revenue this month" })).toHaveTextContent("$12,500.00");
  expect(screen.getByRole("group", { name: "Outstanding" })).toHaveTextContent("1 overdue");
  const bars = screen.getByRole("list", { name: "Projects by margin" });
  const names = within(bars).getAllByRole("button").map((b) => b.getAttribute("aria-label"));
  expect(names).toEqual(["Website: margin 12.5 %, trend down", "App: margin 41.0 %, trend up"]);
  expect(await screen.findByText("Move 10 h of senior work to a mid-level designer.")).toBeInTheDocument();
  expect(await screen.findByRole("img", { name: /Margin of Website/ })).toBeInTheDocument();
});

test("picking another project draws its trend", async () => {
  const gateway = fakeGateway(routes);
  renderView(<Dashboard />);
  await userEvent.click(await screen.findByRole("button", { name: /^App:/ }));
  expect(await screen.findByRole("img", { name: /Margin of App/ })).toBeInTheDocument();
  expect(gateway.calls.some((c) => c.path === "/projects/p2/margin-history")).toBe(true);
});

test("a member whose organization keeps financials to managers is told so, not shown errors", async () => {
  const refused = problem(403);
  fakeGateway({ ...routes, "GET /auth/me": me("member"), "GET /dashboards/metrics": refused,
    "GET /dashboards/profitability": refused, "GET /dashboards/forecast": refused });
  renderView(<Dashboard />);
  expect(await screen.findByText(/shown to managers/)).toBeInTheDocument();
  expect(screen.queryByRole("alert")).not.toBeInTheDocument();
});
