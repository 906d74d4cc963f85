import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { useSearchParams } from "react-router-dom";

import { api, ApiError } from "../../api/client";
import { addDays, hours, isoDate, monday } from "../../api/format";
import { atLeast, useSession } from "../../api/session";
import type { CapacityWeek } from "../../api/types";
import { Card, Empty, ErrorNote, Loading, Page, Tile } from "../../components/ui";
import { AllocationForm } from "./AllocationForm";
import "./capacity.css";
import { buildHeatmap, loadOf, overAllocatedPeople, weekLabel, type Heatmap as HeatmapData } from "./heatmap";
import { HeatLegend, Heatmap } from "./Heatmap";
import { People } from "./People";

const WEEKS = 12;

/** The period's first Monday, from `?start=` (any date: its week) or this week. */
function useStartWeek(): [Date, (d: Date) => void] {
  const [params, setParams] = useSearchParams();
  const given = params.get("start");
  const parsed = given && /^\d{4}-\d{2}-\d{2}$/.test(given) ? new Date(`${given}T00:00:00`) : null;
  const start = monday(parsed && !Number.isNaN(parsed.getTime()) ? parsed : new Date());
  const setStart = (d: Date) => {
    const next = new URLSearchParams(params);
    if (isoDate(d) === isoDate(monday(new Date()))) next.delete("start");
    else next.set("start", isoDate(d));
    setParams(next, { replace: true });
  };
  return [start, setStart];
}

function KeyNumbers({ map, focusWeek, isCurrent }: { map: HeatmapData; focusWeek: number; isCurrent: boolean }) {
  const total = map.totals[focusWeek];
  const over = overAllocatedPeople(map);
  const utilization = total?.utilization ?? null;
  const load = total ? loadOf(total.allocated, total.available) : "none";
  const weekName = isCurrent ? "this week" : `week of ${weekLabel(map.weeks[focusWeek])}`;
  return (
    <div className="tiles">
      <Tile
        label={`Utilization ${weekName}`}
        value={utilization === null ? "—" : `${Math.round(utilization)} %`}
        hint={total ? `${hours(total.allocated)} of ${hours(total.available)} booked` : undefined}
        tone={load === "over" ? "bad" : load === "full" ? "warn" : "none"}
      />
      <Tile
        label="People over-allocated"
        value={over.length}
        hint={over.length ? over.map((p) => p.name).join(", ") : `none in these ${map.weeks.length} weeks`}
        tone={over.length ? "bad" : "good"}
      />
      <Tile label={`Available ${weekName}`} value={hours(total?.available ?? 0)} hint="after time off and holidays" />
      <Tile label={`Tentative ${weekName}`} value={hours(total?.tentative ?? 0)} hint="not counted above" />
    </div>
  );
}

function PeriodNav({ start, onChange }: { start: Date; onChange: (d: Date) => void }) {
  const end = addDays(start, WEEKS * 7 - 1);
  const thisWeek = monday(new Date());
  return (
    <nav className="cap-period" aria-label="Period">
      <button type="button" onClick={() => onChange(addDays(start, -WEEKS * 7))}>
        <span aria-hidden="true">←</span> Previous {WEEKS} weeks
      </button>
      <span className="cap-period-range" aria-live="polite">
        {start.getFullYear() === end.getFullYear()
          ? `${weekLabel(isoDate(start))} – ${weekLabel(isoDate(end))}, ${end.getFullYear()}`
          : `${weekLabel(isoDate(start))}, ${start.getFullYear()} – ${weekLabel(isoDate(end))}, ${end.getFullYear()}`}
      </span>
      {isoDate(start) !== isoDate(thisWeek) && (
        <button type="button" onClick={() => onChange(thisWeek)}>This week</button>
      )}
      <button type="button" onClick={() => onChange(addDays(start, WEEKS * 7))}>
        Next {WEEKS} weeks <span aria-hidden="true">→</span>
      </button>
    </nav>
  );
}

export default function Capacity() {
  const { me } = useSession();
  const [start, setStart] = useStartWeek();
  const startWeek = isoDate(start);
  const overview = useQuery({
    queryKey: ["capacity", "overview", startWeek, WEEKS],
    queryFn: ({ signal }) =>
      api<{ weeks: CapacityWeek[] }>("/capacity/overview", { query: { start_week: startWeek, weeks: WEEKS }, signal }),
    placeholderData: (previous) => previous,
  });
  const map = useMemo(() => (overview.data ? buildHeatmap(overview.data.weeks) : null), [overview.data]);

  const currentWeek = isoDate(monday(new Date()));
  const currentIndex = map ? map.weeks.indexOf(currentWeek) : -1;
  const forbidden = overview.error instanceof ApiError && overview.error.status === 403;

  return (
    <Page title="Capacity">
      {forbidden ? (
        <Card><p>Capacity planning is shown to managers in {me?.organization.name}.</p></Card>
      ) : (
        <>
          {map && map.weeks.length > 0 && (
            <KeyNumbers map={map} focusWeek={Math.max(0, currentIndex)} isCurrent={currentIndex >= 0} />
          )}
          <Card
            title="Team load"
            className="heatmap-card"
            actions={overview.isFetching && !overview.isPending ? <span className="muted">Updating…</span> : undefined}
          >
            <PeriodNav start={start} onChange={setStart} />
            {overview.isPending && <Loading label="Loading capacity" />}
            <ErrorNote error={overview.error} />
            {map && map.people.length === 0 && (
              <Empty>No one to plan yet: add people as resources, then allocate them to projects.</Empty>
            )}
            {map && map.people.length > 0 && (
              <>
                <Heatmap data={map} currentWeek={currentWeek} />
                <HeatLegend />
              </>
            )}
          </Card>
          {atLeast(me?.role, "manager") && <People />}
          {atLeast(me?.role, "manager") && <AllocationForm />}
        </>
      )}
    </Page>
  );
}
