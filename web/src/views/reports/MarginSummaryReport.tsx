// Per project, the hours, revenue, cost and margin of the work dated in the range, and the
// gateway's totals (in the organization's currency, other currencies converted).

import type { ReactNode } from "react";
import { Link } from "react-router-dom";

import { ApiError } from "../../api/client";
import { hours, marginTone, money, percent } from "../../api/format";
import { Card, Empty, ErrorNote, Loading } from "../../components/ui";
import { DownloadButtons } from "./DownloadButtons";
import { MARGIN_SUMMARY, marginQuery, rangeRefused, useMarginSummary, type MarginRow, type Range } from "./queries";

function Figures({ row, currency }: { row: MarginRow; currency: string }) {
  const c = row.currency || currency;
  return (
    <>
      <td data-label="Hours" className="num">{hours(row.hours)}</td>
      <td data-label="Revenue" className="num">{money(row.revenue, c)}</td>
      <td data-label="Cost" className="num">{money(row.cost, c)}</td>
      <td data-label="Margin" className="num">{money(row.margin_dollar, c)}</td>
      <td data-label="Margin %" className={`num tone-${marginTone(row.margin_percent)} text`}>{percent(row.margin_percent)}</td>
    </>
  );
}

export function MarginSummaryReport({ range, clientId, clientPicker }: {
  range: Range;
  clientId: string;
  clientPicker: ReactNode;
}) {
  const report = useMarginSummary(range, clientId);
  const refused = report.error instanceof ApiError && report.error.status === 403;
  const rows = report.data?.projects ?? [];
  const currency = report.data?.currency ?? "USD";

  return (
    <Card
      title="Margin summary"
      className="report-card"
      actions={!refused && (
        <DownloadButtons
          path={MARGIN_SUMMARY}
          query={marginQuery(range, clientId)}
          fileName={`margin-summary-${range.start_date}-${range.end_date}`}
          label="the margin summary"
        />
      )}
    >
      <div className="report-filters">{clientPicker}</div>
      {report.isPending ? (
        <Loading label="Loading the margin summary" />
      ) : refused ? (
        <Empty>Margins are shown to managers and up in this organization.</Empty>
      ) : report.isError ? (
        // A range the gateway refused is named beside its date, above.
        <ErrorNote error={rangeRefused(report.error) ? null : report.error} />
      ) : rows.length === 0 ? (
        <Empty>No work is dated in this range{clientId ? " for this client" : ""}.</Empty>
      ) : (
        <div className="report-box">
          <table className="table report-table" aria-label="Margin by project">
            <thead>
              <tr>
                <th scope="col">Project</th>
                <th scope="col">Client</th>
                <th scope="col" className="num">Hours</th>
                <th scope="col" className="num">Revenue</th>
                <th scope="col" className="num">Cost</th>
                <th scope="col" className="num">Margin</th>
                <th scope="col" className="num">Margin %</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id ?? row.name}>
                  <td data-label="Project" className="lead report-name">
                    {row.id ? <Link to={`/projects/${row.id}`}>{row.name}</Link> : row.name}
                  </td>
                  <td data-label="Client" className="report-name">{row.client_name ?? "—"}</td>
                  <Figures row={row} currency={currency} />
                </tr>
              ))}
            </tbody>
            {report.data.totals && (
              <tfoot>
                <tr>
                  <th scope="row" className="lead">Total</th>
                  <td data-label="Client" className="report-blank" />
                  <Figures row={report.data.totals} currency={currency} />
                </tr>
              </tfoot>
            )}
          </table>
        </div>
      )}
    </Card>
  );
}
