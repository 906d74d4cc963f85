// The dashboard's three reads, shared with the login and signup screens, which start them (and
// the dashboard's code) while the session is still being set up: the first screen after login
// then waits for one round of requests, not three in a row.

import { queryOptions, type QueryClient } from "@tanstack/react-query";

import { api } from "../../api/client";
import type { ForecastDashboard, Metrics, Profitability } from "../../api/types";

export const metricsQuery = queryOptions({
  queryKey: ["dashboard", "metrics"],
  queryFn: () => api<Metrics>("/dashboards/metrics"),
});

export const profitabilityQuery = queryOptions({
  queryKey: ["dashboard", "profitability"],
  queryFn: () =>
    api<Profitability>("/dashboards/profitability", { query: { sort_by: "margin_percent", order: "asc" } }),
});

export const forecastQuery = queryOptions({
  queryKey: ["dashboard", "forecast"],
  queryFn: () => api<ForecastDashboard>("/dashboards/forecast"),
});

export const loadDashboard = () => import("./Dashboard");

/** Start what the dashboard needs, right after the tokens arrive (a 403 is the view's to show). */
export function prefetchDashboard(client: QueryClient): void {
  void loadDashboard();
  void import("../../components/charts/MarginChart");
  void client.prefetchQuery(metricsQuery);
  void client.prefetchQuery(profitabilityQuery);
  void client.prefetchQuery(forecastQuery);
}
