// Timesheets waiting for a manager: each person's submitted entries of the week, to approve
// (they lock) or send back to draft with a reason.

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, ApiError, idempotencyKey } from "../../api/client";
import { hours, shortDate } from "../../api/format";
import { fieldError, FormProblem } from "../../components/formErrors";
import { Card, Empty, ErrorNote, Field, Loading } from "../../components/ui";
import { useMemberNames, useSubmittedWeek, type Entry, type Week } from "./queries";

interface Timesheet {
  userId: string;
  entries: Entry[];
  total: number;
}

function byPerson(entries: Entry[]): Timesheet[] {
  const sheets = new Map<string, Timesheet>();
  for (const e of entries) {
    if (!e.user_id) continue; // a resource without a login never submits
    const sheet = sheets.get(e.user_id) ?? { userId: e.user_id, entries: [], total: 0 };
    sheet.entries.push(e);
    sheet.total = Math.round(sheet.total * 100 + (e.hours ?? 0) * 100) / 100;
    sheets.set(e.user_id, sheet);
  }
  return [...sheets.values()];
}

export function Approvals({ week, projectNames }: { week: Week; projectNames: Map<string, string> }) {
  const submitted = useSubmittedWeek(week);
  const people = useMemberNames();

  if (submitted.isError && submitted.error instanceof ApiError && submitted.error.status === 403) return null;
  const sheets = byPerson(submitted.data ?? []);
  const nameOf = (userId: string) => people.data?.get(userId) ?? "A team member";

  return (
    <Card title="Approvals">
      {submitted.isPending ? (
        <Loading label="Loading timesheets" />
      ) : submitted.isError ? (
        <ErrorNote error={submitted.error} />
      ) : sheets.length === 0 ? (
        <Empty>Nothing waits for approval this week.</Empty>
      ) : (
        <ul className="approval-list">
          {sheets
            .sort((a, b) => nameOf(a.userId).localeCompare(nameOf(b.userId)))
            .map((sheet) => (
              <li key={sheet.userId}>
                <TimesheetReview sheet={sheet} name={nameOf(sheet.userId)} week={week} projectNames={projectNames} />
              </li>
            ))}
        </ul>
      )}
    </Card>
  );
}

interface Decision {
  action: "approve" | "reject";
  reason?: string;
  key: string;
}

function TimesheetReview({ sheet, name, week, projectNames }: {
  sheet: Timesheet;
  name: string;
  week: Week;
  projectNames: Map<string, string>;
}) {
  const queryClient = useQueryClient();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const decide = useMutation({
    mutationFn: ({ action, reason, key }: Decision) =>
      api(`/time-entries/${action}`, {
        method: "POST",
        body: { user_id: sheet.userId, date_from: week.from, date_to: week.to, ...(action === "reject" ? { reason } : {}) },
        idempotencyKey: key,
      }),
    onSuccess: () => {
      setRejecting(false);
      setReason("");
      void queryClient.invalidateQueries({ queryKey: ["approvals"] });
      void queryClient.invalidateQueries({ queryKey: ["time-entries"] });
    },
  });

  const reject = (e: FormEvent) => {
    e.preventDefault();
    decide.mutate({ action: "reject", reason: reason.trim(), key: idempotencyKey() });
  };

  return (
    <article className="timesheet" aria-label={`${name}'s timesheet`}>
      <header className="spread">
        <h3>{name}</h3>
        <strong className="num">{hours(sheet.total)}</strong>
      </header>
      <details>
        <summary>
          {sheet.entries.length} {sheet.entries.length === 1 ? "entry" : "entries"}
        </summary>
        <ul className="timesheet-entries">
          {sheet.entries.map((e) => (
            <li key={e.id} className="spread">
              <span>
                {shortDate(e.date_worked)} · {projectNames.get(e.project_id) ?? "Project"}
                {e.notes && <span className="muted"> — {e.notes}</span>}
              </span>
              <span className="num">{hours(e.hours)}</span>
            </li>
          ))}
        </ul>
      </details>
      {rejecting ? (
        <form className="form" onSubmit={reject} noValidate aria-label={`Reject ${name}'s week`}>
          <Field label="Reason" hint="Sent to them with the entries" error={fieldError(decide.error, "reason")}>
            <textarea value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} required />
          </Field>
          <FormProblem error={decide.error} fields={["reason"]} />
          <div className="row">
            <button type="submit" className="danger" disabled={decide.isPending || reason.trim() === ""}>
              Send back
            </button>
            <button
              type="button"
              onClick={() => {
                decide.reset();
                setRejecting(false);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          <ErrorNote error={decide.error} />
          <div className="row">
            <button
              type="button"
              className="primary"
              aria-label={`Approve ${name}`}
              disabled={decide.isPending}
              onClick={() => decide.mutate({ action: "approve", key: idempotencyKey() })}
            >
              Approve
            </button>
            <button type="button" className="danger" aria-label={`Reject ${name}`} onClick={() => {
                decide.reset();
                setRejecting(true);
              }}
            >
              Reject
            </button>
          </div>
        </>
      )}
    </article>
  );
}
