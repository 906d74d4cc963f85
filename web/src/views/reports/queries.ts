// The reports' reads (API.md, reports rows): JSON for the tables, the same URL with `format` for
// the files. Keyed under "reports", which no event makes stale: a report is read when asked for.

import { useQuery } from "@tanstack/react-query";

import { api, ApiError } from "../../api/client";

export interface Range {
  start_date: string;
  end_date: string;
}

export interface MarginRow {
  /** Null in the totals. */
  id: string | null;
  name: string | null;
  client_name: string | null;
  hours: number;
  revenue: string | null;
  cost: string | null;
  margin_dollar: string | null;
  margin_percent: string | null;
  currency: string | null;
}

export interface MarginSummary {
  projects: MarginRow[];
  totals: MarginRow | null;
  currency: string;
}

export interface UtilizationRow {
  resource_id: string;
  name: string;
  available_hours: number;
  allocated_hours: number;
  logged_hours: number;
  billable_hours: number;
  utilization_percent: string | null;
  billable_utilization_percent: string | null;
}

export interface Utilization {
  resources: UtilizationRow[];
}

export const MARGIN_SUMMARY = "/reports/margin-summary";
export const RESOURCE_UTILIZATION = "/reports/resource-utilization";

export function marginQuery(range: Range, clientId: string) {
  return { ...range, client_id: clientId || undefined };
}

export function useMarginSummary(range: Range, clientId: string) {
  const query = marginQuery(range, clientId);
  return useQuery({
    queryKey: ["reports", "margin-summary", query],
    queryFn: ({ signal }) => api<MarginSummary>(MARGIN_SUMMARY, { query, signal }),
  });
}

export function useUtilization(range: Range) {
  return useQuery({
    queryKey: ["reports", "resource-utilization", range],
    queryFn: ({ signal }) => api<Utilization>(RESOURCE_UTILIZATION, { query: { ...range }, signal }),
  });
}

/** A 422 that names only the dates: the range form shows it, beside the date it names. */
export function rangeRefused(error: unknown): error is ApiError {
  return (
    error instanceof ApiError &&
    error.status === 422 &&
    error.errors.length > 0 &&
    error.errors.every((e) => e.field === "start_date" || e.field === "end_date")
  );
}
