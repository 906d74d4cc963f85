// Time: the running timer, the caller's week (grid, entries, adding and submitting time) and, for
// managers, the week's timesheets waiting for approval; the week lives in the URL (?week=).
// Expenses, a project's, are the second section (/time/expenses).

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Navigate, NavLink, Route, Routes, useSearchParams } from "react-router-dom";

import { api, idempotencyKey } from "../../api/client";
import { hours, isoDate } from "../../api/format";
import { atLeast, useSession } from "../../api/session";
import type { Role } from "../../api/types";
import { Card, ErrorNote, Loading, Page } from "../../components/ui";
import { AddTimeForm } from "./AddTimeForm";
import { Approvals } from "./Approvals";
import { EntryList } from "./EntryList";
import { Expenses } from "./Expenses";
import { TimerCard } from "./TimerCard";
import { WeekGrid } from "./WeekGrid";
import { useMyWeek, useOpenProjects, useProjectNames, type Entry, type TimeEntryPage, type Week } from "./queries";
import { buildGrid, defaultDay, shiftWeek, weekLabel, weekOf } from "./week";
import "./time.css";

function useWeekParam(): [Week, (week: Week) => void] {
  const [params, setParams] = useSearchParams();
  const week = weekOf(params.get("week") ?? new Date());
  const setWeek = (next: Week) =>
    setParams(
      (p) => {
        p.set("week", next.from);
        return p;
      },
      { replace: true },
    );
  return [week, setWeek];
}

// Every section the reader's role may open; the gateway still decides each request (expenses are
// recorded by members and up).
const SECTIONS: { path: string; label: string; least: Role }[] = [
  { path: "/time", label: "Week", least: "viewer" },
  { path: "/time/expenses", label: "Expenses", least: "member" },
];

export default function TimePage() {
  const role = useSession().me?.role;
  return (
    <Page title="Time">
      <nav aria-label="Time sections" className="tabs">
        {SECTIONS.filter((s) => atLeast(role, s.least)).map((s) => (
          <NavLink key={s.path} to={s.path} end className="tab">{s.label}</NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<YourWeek />} />
        {atLeast(role, "member") && <Route path="expenses" element={<Expenses />} />}
        <Route path="*" element={<Navigate to="/time" replace />} />
      </Routes>
    </Page>
  );
}

function YourWeek() {
  const { me } = useSession();
  const [week, setWeek] = useWeekParam();
  const open = useOpenProjects();
  const mine = useMyWeek(me?.user.id, week);
  const entries = mine.data?.time_entries ?? [];
  const names = useProjectNames(entries.map((e) => e.project_id), open);
  const today = isoDate(new Date());

  return (
    <>
      <div className="grid grid-2 time-top">
        <TimerCard projects={open.projects} names={names} />
        <Card title="Add time">
          {open.error ? <ErrorNote error={open.error} /> : <AddTimeForm projects={open.projects} initialDate={defaultDay(week)} />}
        </Card>
      </div>

      <Card title="Your week" className="week-card" actions={<WeekNav week={week} onChange={setWeek} />}>
        {mine.isPending ? (
          <Loading label="Loading your week" />
        ) : mine.isError ? (
          <ErrorNote error={mine.error} />
        ) : (
          <>
            <WeekGrid grid={buildGrid(week, entries, (id) => names.get(id) ?? id)} names={names} today={today} />
            <SubmitWeek week={week} entries={entries} />
            <h3 className="entries-heading">Entries</h3>
            <EntryList entries={entries} names={names} />
          </>
        )}
      </Card>

      {atLeast(me?.role, "manager") && <Approvals week={week} projectNames={names} />}
    </>
  );
}

function WeekNav({ week, onChange }: { week: Week; onChange: (week: Week) => void }) {
  const thisWeek = weekOf(new Date());
  return (
    <div className="week-nav" role="group" aria-label="Week">
      <button type="button" aria-label="Previous week" onClick={() => onChange(shiftWeek(week, -1))}>
        ‹
      </button>
      <span className="week-nav-label" aria-live="polite">
        {weekLabel(week)}
      </span>
      <button type="button" aria-label="Next week" onClick={() => onChange(shiftWeek(week, 1))}>
        ›
      </button>
      {week.from !== thisWeek.from && (
        <button type="button" className="link" onClick={() => onChange(thisWeek)}>
          This week
        </button>
      )}
    </div>
  );
}

function SubmitWeek({ week, entries }: { week: Week; entries: Entry[] }) {
  const queryClient = useQueryClient();
  const drafts = entries.filter((e) => e.status === "draft" && !e.is_running);
  const submit = useMutation({
    mutationFn: (key: string) =>
      api<Pick<TimeEntryPage, "time_entries">>("/time-entries/submit", {
        method: "POST",
        body: { date_from: week.from, date_to: week.to },
        idempotencyKey: key,
      }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["time-entries"] });
      void queryClient.invalidateQueries({ queryKey: ["approvals"] });
    },
  });
  const draftHours = drafts.reduce((sum, e) => Math.round(sum * 100 + (e.hours ?? 0) * 100) / 100, 0);

  return (
    <div className="submit-week">
      <div className="spread">
        <span className="muted">
          {drafts.length === 0
            ? "No draft entries to submit."
            : `${drafts.length} draft ${drafts.length === 1 ? "entry" : "entries"}, ${hours(draftHours)}`}
        </span>
        <button
          type="button"
          className="primary"
          disabled={drafts.length === 0 || submit.isPending}
          onClick={() => submit.mutate(idempotencyKey())}
        >
          Submit week
        </button>
      </div>
      {submit.isSuccess && (
        <p role="status" className="muted">
          Submitted {submit.data.time_entries.length}{" "}
          {submit.data.time_entries.length === 1 ? "entry" : "entries"} for approval.
        </p>
      )}
      <ErrorNote error={submit.error} />
    </div>
  );
}
