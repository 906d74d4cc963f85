// Log hours by hand: project, day, hours, notes, billable.

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, idempotencyKey } from "../../api/client";
import { hours as formatHours, shortDate } from "../../api/format";
import { NOT_A_NUMBER, parseHours } from "../../api/numbers";
import type { Project } from "../../api/types";
import { fieldError, FormProblem } from "../../components/formErrors";
import { Field } from "../../components/ui";
import type { Entry } from "./queries";

interface NewEntry {
  hours: number;
  date_worked: string;
  notes: string;
  billable: boolean;
}

const FIELDS = ["project_id", "hours", "date_worked", "notes", "billable"] as const;

export function AddTimeForm({ projects, initialDate }: { projects: Project[]; initialDate: string }) {
  const queryClient = useQueryClient();
  const [projectId, setProjectId] = useState("");
  const [date, setDate] = useState(initialDate);
  // Moving to another week moves the default day with it.
  const [shownWeekDay, setShownWeekDay] = useState(initialDate);
  if (shownWeekDay !== initialDate) {
    setShownWeekDay(initialDate);
    setDate(initialDate);
  }
  const [hoursText, setHoursText] = useState("");
  const [notes, setNotes] = useState("");
  const [billable, setBillable] = useState(true);
  const [notANumber, setNotANumber] = useState(false);

  const add = useMutation({
    mutationFn: ({ body, key }: { body: NewEntry; key: string }) =>
      api<Entry>(`/projects/${projectId}/time-entries`, { method: "POST", body, idempotencyKey: key }),
    onSuccess: () => {
      setHoursText("");
      setNotes("");
      void queryClient.invalidateQueries({ queryKey: ["time-entries"] });
      void queryClient.invalidateQueries({ queryKey: ["project", projectId] });
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    // Hours are a JSON number (API.md); the gateway says what is wrong with one, e.g. over 24.
    const value = parseHours(hoursText);
    setNotANumber(value === null);
    if (value === null) return;
    const body: NewEntry = {
      hours: value,
      date_worked: date,
      notes: notes.trim(),
      billable,
    };
    add.mutate({ body, key: idempotencyKey() });
  };

  const hoursError = notANumber ? NOT_A_NUMBER : fieldError(add.error, "hours");

  return (
    <form className="form add-time" onSubmit={submit} noValidate aria-label="Add time">
      <div className="form-row">
        <Field label="Project" error={fieldError(add.error, "project_id")}>
          <select value={projectId} onChange={(e) => setProjectId(e.target.value)} required>
            <option value="">Choose a project</option>
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Date" error={fieldError(add.error, "date_worked")}>
          <input type="date" value={date} onChange={(e) => setDate(e.target.value)} required />
        </Field>
        <Field label="Hours" error={hoursError}>
          <input
            type="text"
            inputMode="decimal"
            placeholder="1.5"
            value={hoursText}
            onChange={(e) => setHoursText(e.target.value)}
            aria-invalid={hoursError ? true : undefined}
            required
          />
        </Field>
      </div>
      <Field label="Notes" error={fieldError(add.error, "notes")}>
        <input value={notes} onChange={(e) => setNotes(e.target.value)} maxLength={10_000} />
      </Field>
      <label className="check">
        <input type="checkbox" checked={billable} onChange={(e) => setBillable(e.target.checked)} />
        Billable
      </label>
      <FormProblem error={add.error} fields={FIELDS} />
      {add.isSuccess && (
        <p className="muted" role="status">
          Added {formatHours(add.data.hours)} on {shortDate(add.data.date_worked)}.
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={!projectId || add.isPending}>
          Add time
        </button>
      </div>
    </form>
  );
}
