// Per person, the hours available, allocated, logged and billable in the range. The gateway gives
// no totals for it: hours add up here, and the team's utilization is logged over available.

import { hours, percent } from "../../api/format";
import { Card, Empty, ErrorNote, Loading } from "../../components/ui";
import { DownloadButtons } from "./DownloadButtons";
import { RESOURCE_UTILIZATION, rangeRefused, useUtilization, type Range, type UtilizationRow } from "./queries";

type HourField = "available_hours" | "allocated_hours" | "logged_hours" | "billable_hours";
const HOUR_FIELDS: HourField[] = ["available_hours", "allocated_hours", "logged_hours", "billable_hours"];

/** Sums in hundredths, so 0.1 + 0.2 is 0.3 as the table shows it. */
export function utilizationTotals(rows: UtilizationRow[]) {
  const sum = (field: HourField) => rows.reduce((total, r) => total + Math.round(r[field] * 100), 0) / 100;
  const totals = Object.fromEntries(HOUR_FIELDS.map((f) => [f, sum(f)])) as Record<HourField, number>;
  const share = (part: number) => (totals.available_hours > 0 ? (part / totals.available_hours) * 100 : null);
  return { ...totals, utilization_percent: share(totals.logged_hours), billable_utilization_percent: share(totals.billable_hours) };
}

function Hours({ row }: { row: Record<HourField, number> & { utilization_percent: string | number | null; billable_utilization_percent: string | number | null } }) {
  return (
    <>
      <td data-label="Available" className="num">{hours(row.available_hours)}</td>
      <td data-label="Allocated" className="num">{hours(row.allocated_hours)}</td>
      <td data-label="Logged" className="num">{hours(row.logged_hours)}</td>
      <td data-label="Billable" className="num">{hours(row.billable_hours)}</td>
      <td data-label="Utilization" className="num">{percent(row.utilization_percent)}</td>
      <td data-label="Billable utilization" className="num">{percent(row.billable_utilization_percent)}</td>
    </>
  );
}

export function UtilizationReport({ range }: { range: Range }) {
  const report = useUtilization(range);
  const rows = report.data?.resources ?? [];
  return (
    <Card
      title="Resource utilization"
      className="report-card"
      actions={
        <DownloadButtons
          path={RESOURCE_UTILIZATION}
          query={{ ...range }}
          fileName={`resource-utilization-${range.start_date}-${range.end_date}`}
          label="the resource utilization"
        />
      }
    >
      {report.isPending ? (
        <Loading label="Loading utilization" />
      ) : report.isError ? (
        <ErrorNote error={rangeRefused(report.error) ? null : report.error} />
      ) : rows.length === 0 ? (
        <Empty>No one in capacity yet: add people on the Capacity screen.</Empty>
      ) : (
        <div className="report-box">
          <table className="table report-table" aria-label="Utilization by person">
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col" className="num">Available</th>
                <th scope="col" className="num">Allocated</th>
                <th scope="col" className="num">Logged</th>
                <th scope="col" className="num">Billable</th>
                <th scope="col" className="num">Utilization</th>
                <th scope="col" className="num">Billable utilization</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.resource_id}>
                  <td data-label="Person" className="lead report-name">{row.name}</td>
                  <Hours row={row} />
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" className="lead">Total</th>
                <Hours row={utilizationTotals(rows)} />
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </Card>
  );
}
