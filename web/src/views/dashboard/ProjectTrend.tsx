import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useMemo } from "react";
import { Link } from "react-router-dom";

import { api, ApiError } from "../../api/client";
import { addDays, isoDate, percent } from "../../api/format";
import { projectQuery } from "../../api/queries";
import type { Forecast, MarginPoint } from "../../api/types";
import { Empty, ErrorNote, Loading } from "../../components/ui";
import type { MarginSeries } from "../../components/charts/marginSeries";

// uPlot loads with the chart, after the dashboard's numbers are on screen.
const MarginChart = lazy(() => import("../../components/charts/MarginChart").then((m) => ({ default: m.MarginChart })));

const DAYS = 90;
const unix = (iso: string) => Date.parse(`${iso}T12:00:00Z`) / 1000;

export function seriesOf(history: MarginPoint[], forecast: Forecast | undefined, endDate: string | null): MarginSeries {
  const points = history.filter((m) => m.margin_percent !== null);
  const at = endDate ? unix(endDate) : null;
  const band = forecast && forecast.forecast_margin !== null && forecast.forecast_low !== null && forecast.forecast_high !== null;
  return {
    days: points.map((m) => unix(m.date)),
    percents: points.map((m) => Number(m.margin_percent)),
    forecast: band && at
      ? { at, mid: Number(forecast.forecast_margin), low: Number(forecast.forecast_low), high: Number(forecast.forecast_high) }
      : null,
  };
}

export function ProjectTrend({ projectId }: { projectId: string }) {
  const today = new Date();
  const range = { start_date: isoDate(addDays(today, -DAYS)), end_date: isoDate(today) };
  const project = useQuery(projectQuery(projectId));
  const history = useQuery({
    queryKey: ["margin-history", projectId, range.start_date],
    queryFn: () => api<{ margins: MarginPoint[] }>(`/projects/${projectId}/margin-history`, { query: range }),
  });
  const forecast = useQuery({
    queryKey: ["forecast", projectId],
    queryFn: () => api<Forecast>(`/projects/${projectId}/forecast`),
    retry: false,
  });
  const series = useMemo(
    () => seriesOf(history.data?.margins ?? [], forecast.data, project.data?.end_date ?? null),
    [history.data, forecast.data, project.data],
  );

  if (history.isPending) return <Loading />;
  if (history.error) return <ErrorNote error={history.error} />;
  const f = forecast.data;
  return (
    <div className="trend">
      <div className="spread">
        <Link to={`/projects/${projectId}`}><strong>{project.data?.name ?? "Project"}</strong></Link>
        {f && (
          <span className="muted" aria-label="Forecast margin">
            forecast {percent(f.forecast_margin)}
            {f.forecast_low !== null && <> ({percent(f.forecast_low, 0)}–{percent(f.forecast_high, 0)})</>}
            {f.forecast_confidence !== null && <> · {f.forecast_confidence}% confident</>}
          </span>
        )}
      </div>
      {series.days.length === 0 ? (
        <Empty>No margin yet: log time on this project to start its history.</Empty>
      ) : (
        <Suspense fallback={<Loading label="Drawing" />}>
          <MarginChart series={series} label={`Margin of ${project.data?.name ?? "the project"} over the last ${DAYS} days, with its forecast`} />
        </Suspense>
      )}
      <div className="legend" aria-hidden="true">
        <span><span className="swatch swatch-line" />margin %</span>
        <span><span className="swatch swatch-band" />forecast, 10th–90th percentile</span>
      </div>
      {f?.recommendation && <p className="recommendation">{f.recommendation}</p>}
      {forecast.error instanceof ApiError && forecast.error.status >= 500 && <ErrorNote error={forecast.error} />}
    </div>
  );
}
