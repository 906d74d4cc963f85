// The dashboard's three reads, shared with the login and signup screens, which start them (and
// the dashboard's code) while the session is still being set up: the first screen after login
// then waits for one round of requests, not three in a row.

import { queryOptions, type QueryClient } from "@tanstack/react-query";

import { api } from "../../api/client";
import { claimedRole, tokens } from "../../api/tokens";
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

/** Start what the dashboard needs, right after the tokens arrive, for the roles that land on
 * it: never for a client (its screen is the portal), and the figures only for manager and up
 * (a member's or viewer's 403, when its organization keeps them closed, is the view's to show). */
export function prefetchDashboard(client: QueryClient): void {
  const role = claimedRole(tokens.get()?.access_token);
  if (!role || role === "client") return;
  void loadDashboard();
  void import("../../components/charts/MarginChart");
  if (!["owner", "admin", "manager"].includes(role)) return;
  void client.prefetchQuery(metricsQuery);
  void client.prefetchQuery(profitabilityQuery);
  void client.prefetchQuery(forecastQuery);
}
