import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router-dom";

import { ApiError } from "../../api/client";
import { hours, money, percent } from "../../api/format";
import { useSession } from "../../api/session";
import type { Metrics } from "../../api/types";
import { Card, Empty, ErrorNote, Loading, Page, Tile } from "../../components/ui";
import { AtRiskList } from "./AtRiskList";
import "./dashboard.css";
import { MarginBars } from "./MarginBars";
import { ProjectTrend } from "./ProjectTrend";
import { forecastQuery, metricsQuery, profitabilityQuery } from "./queries";

const forbidden = (e: unknown) => e instanceof ApiError && e.status === 403;

function MetricTiles({ metrics }: { metrics: Metrics }) {
  const c = metrics.currency;
  return (
    <div className="tiles">
      <Tile label="Revenue this month" value={money(metrics.revenue_mtd, c)} />
      <Tile
        label="Outstanding"
        value={money(metrics.outstanding_amount, c)}
        hint={metrics.overdue_invoices ? `${metrics.overdue_invoices} overdue` : "none overdue"}
        tone={metrics.overdue_invoices ? "bad" : "none"}
      />
      <Tile
        label="Hours this week"
        value={hours(metrics.hours_this_week)}
        hint={`${hours(metrics.billable_hours_this_week)} billable`}
      />
      <Tile label="Utilization" value={percent(metrics.utilization_percent, 0)} hint={`${metrics.active_projects} active projects`} />
    </div>
  );
}

export default function Dashboard() {
  const { me } = useSession();
  const metrics = useQuery(metricsQuery);
  const profitability = useQuery(profitabilityQuery);
  const forecast = useQuery(forecastQuery);
  const [picked, setPicked] = useState<string | null>(null);

  const rows = profitability.data?.projects ?? [];
  const selected = picked ?? rows[0]?.id ?? null;
  const summary = profitability.data?.summary;
  const financialsHidden = forbidden(profitability.error) && forbidden(metrics.error);

  return (
    <Page title="Dashboard">
      {financialsHidden ? (
        <Card>
          <p>
            Margins and forecasts are shown to managers in {me?.organization.name}.{" "}
            <Link to="/projects">Go to your projects</Link> or <Link to="/time">log time</Link>.
          </p>
        </Card>
      ) : (
        <>
          {metrics.data && <MetricTiles metrics={metrics.data} />}
          {metrics.error && !forbidden(metrics.error) && <ErrorNote error={metrics.error} />}
          <div className="grid grid-2">
            <Card
              title="Margin by project"
              actions={summary && (
                <span className="muted" aria-label="Total margin">
                  {money(summary.total_margin, summary.currency)} · avg {percent(summary.avg_margin_percent)}
                </span>
              )}
            >
              {profitability.isPending && <Loading />}
              <ErrorNote error={forbidden(profitability.error) ? null : profitability.error} />
              {profitability.data && rows.length === 0 && (
                <Empty>No projects yet. <Link to="/projects">Create one</Link> and log time to see its margin.</Empty>
              )}
              {rows.length > 0 && <MarginBars rows={rows} currency={summary?.currency ?? "USD"} selected={selected} onSelect={setPicked} />}
            </Card>
            <Card title="Trend and forecast">
              {selected ? <ProjectTrend projectId={selected} /> : <Empty>Pick a project to see its trend.</Empty>}
            </Card>
          </div>
          <Card title="At risk">
            {forecast.isPending && <Loading />}
            <ErrorNote error={forbidden(forecast.error) ? null : forecast.error} />
            {forecast.data && <AtRiskList data={forecast.data} />}
          </Card>
        </>
      )}
    </Page>
  );
}
