// Reports (manager and up): a date range (and a client, for margins) in the URL (?from=&to=&client=),
// the margin summary and the resource utilization as tables with totals, each as CSV or PDF.

import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router-dom";

import { clientsQuery } from "../../api/queries";
import { Card, Field, Page } from "../../components/ui";
import { MarginSummaryReport } from "./MarginSummaryReport";
import { rangeRefused, useMarginSummary, useUtilization, type Range } from "./queries";
import { PRESETS, rangeOf } from "./range";
import "./reports.css";
import { UtilizationReport } from "./UtilizationReport";

export default function Reports() {
  const [params, setParams] = useSearchParams();
  const range = rangeOf(params);
  const clientId = params.get("client") ?? "";
  const clients = useQuery({ ...clientsQuery, select: (page) => page.clients });
  // The same reads as the two tables (one fetch each): a range they refuse is said here, once.
  const margin = useMarginSummary(range, clientId);
  const utilization = useUtilization(range);
  const refused = [margin.error, utilization.error].find(rangeRefused);
  const dateError = (field: keyof Range) => refused?.field(field);

  const set = (change: Record<string, string>) =>
    setParams(
      (p) => {
        for (const [key, value] of Object.entries(change)) {
          if (value) p.set(key, value);
          else p.delete(key);
        }
        return p;
      },
      { replace: true },
    );
  const today = new Date();

  return (
    <Page title="Reports">
      <Card>
        <form className="report-range" aria-label="Report period" onSubmit={(e) => e.preventDefault()}>
          <div className="report-dates">
            <Field label="From" error={dateError("start_date")}>
              <input type="date" value={range.start_date} onChange={(e) => set({ from: e.target.value })} required />
            </Field>
            <Field label="To" error={dateError("end_date")}>
              <input type="date" value={range.end_date} onChange={(e) => set({ to: e.target.value })} required />
            </Field>
          </div>
          <div className="row report-presets" role="group" aria-label="Common periods">
            {PRESETS.map((preset) => {
              const r = preset.range(today);
              const current = r.start_date === range.start_date && r.end_date === range.end_date;
              return (
                <button
                  key={preset.label}
                  type="button"
                  aria-pressed={current}
                  onClick={() => set({ from: r.start_date, to: r.end_date })}
                >
                  {preset.label}
                </button>
              );
            })}
          </div>
        </form>
      </Card>
      <MarginSummaryReport
        range={range}
        clientId={clientId}
        clientPicker={
          <Field label="Client">
            <select value={clientId} onChange={(e) => set({ client: e.target.value })}>
              <option value="">All clients</option>
              {(clients.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>{c.name}</option>
              ))}
            </select>
          </Field>
        }
      />
      <UtilizationReport range={range} />
    </Page>
  );
}
