// The week's entries one by one: drafts can be corrected, any can be deleted unless the gateway
// says why not (approved and locked, or invoiced).

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api } from "../../api/client";
import { hours, shortDate } from "../../api/format";
import { NOT_A_NUMBER, parseHours } from "../../api/numbers";
import { ConfirmButton } from "../../components/ConfirmButton";
import { fieldError, FormProblem } from "../../components/formErrors";
import { Badge, Empty, ErrorNote, Field } from "../../components/ui";
import type { Entry } from "./queries";

const STATUS_TONE: Record<Entry["status"], string> = { draft: "none", submitted: "info", approved: "good" };

export function EntryList({ entries, names }: { entries: Entry[]; names: Map<string, string> }) {
  if (entries.length === 0) return <Empty>No entries this week.</Empty>;
  const sorted = [...entries].sort(
    (a, b) => a.date_worked.localeCompare(b.date_worked) || (a.started_at ?? "").localeCompare(b.started_at ?? ""),
  );
  return (
    <table className="table entry-table">
      <thead>
        <tr>
          <th scope="col">Date</th>
          <th scope="col">Project</th>
          <th scope="col" className="num">Hours</th>
          <th scope="col">Notes</th>
          <th scope="col">Status</th>
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((entry) => (
          <EntryRow key={entry.id} entry={entry} projectName={names.get(entry.project_id) ?? "Project"} />
        ))}
      </tbody>
    </table>
  );
}

function useInvalidateEntries() {
  const queryClient = useQueryClient();
  return (projectId: string) => {
    void queryClient.invalidateQueries({ queryKey: ["time-entries"] });
    void queryClient.invalidateQueries({ queryKey: ["project", projectId] });
  };
}

function EntryRow({ entry, projectName }: { entry: Entry; projectName: string }) {
  const [editing, setEditing] = useState(false);
  const invalidate = useInvalidateEntries();
  const remove = useMutation({
    mutationFn: () => api(`/time-entries/${entry.id}`, { method: "DELETE" }),
    onSuccess: () => invalidate(entry.project_id),
  });
  const what = `${shortDate(entry.date_worked)} ${projectName}`;
  const editable = entry.status === "draft" && !entry.is_locked && !entry.invoice_id && !entry.is_running;

  return (
    <>
      <tr>
        <td data-label="Date">{shortDate(entry.date_worked)}</td>
        <td data-label="Project" className="lead">{projectName}</td>
        <td data-label="Hours" className="num">
          {entry.is_running ? <Badge tone="warn">Running</Badge> : hours(entry.hours)}
        </td>
        <td data-label="Notes" className="entry-notes">{entry.notes || <span className="muted">—</span>}</td>
        <td data-label="Status">
          <span className="row entry-badges">
            <Badge tone={STATUS_TONE[entry.status]}>{entry.status}</Badge>
            {entry.is_locked && <Badge tone="warn">locked</Badge>}
            {entry.invoice_id && <Badge tone="info">invoiced</Badge>}
            {!entry.billable && <Badge>non-billable</Badge>}
          </span>
        </td>
        <td data-label="Actions">
          {!entry.is_running && (
            <span className="row entry-actions">
              {editable && (
                <button type="button" aria-label={`Edit ${what}`} aria-expanded={editing} onClick={() => setEditing((v) => !v)}>
                  Edit
                </button>
              )}
              <ConfirmButton
                label="Delete"
                name={`Delete ${what}`}
                confirmLabel="Yes, delete"
                question={`Delete ${hours(entry.hours)} on ${what}?`}
                busy={remove.isPending}
                busyLabel="Deleting…"
                onConfirm={() => remove.mutate()}
              />
            </span>
          )}
        </td>
      </tr>
      {(editing || remove.isError) && (
        <tr className="entry-detail">
          <td colSpan={6}>
            {remove.isError && <ErrorNote error={remove.error} />}
            {editing && (
              <EditEntry
                entry={entry}
                onDone={() => {
                  setEditing(false);
                  invalidate(entry.project_id);
                }}
                onCancel={() => setEditing(false)}
              />
            )}
          </td>
        </tr>
      )}
    </>
  );
}

function EditEntry({ entry, onDone, onCancel }: { entry: Entry; onDone: () => void; onCancel: () => void }) {
  const [hoursText, setHoursText] = useState(String(entry.hours ?? ""));
  const [notes, setNotes] = useState(entry.notes ?? "");
  const [notANumber, setNotANumber] = useState(false);
  const save = useMutation({
    mutationFn: (body: { hours: number; notes: string }) =>
      api<Entry>(`/time-entries/${entry.id}`, { method: "PATCH", body }),
    onSuccess: onDone,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const value = parseHours(hoursText);
    setNotANumber(value === null);
    if (value !== null) save.mutate({ hours: value, notes: notes.trim() });
  };
  // Labels unlike the Add time form's, so "Hours" and "Notes" each name one field on the page.
  return (
    <form className="form entry-edit" onSubmit={submit} noValidate aria-label="Edit entry">
      <div className="form-row">
        <Field label="Duration (h)" error={notANumber ? NOT_A_NUMBER : fieldError(save.error, "hours")}>
          <input type="text" inputMode="decimal" value={hoursText} onChange={(e) => setHoursText(e.target.value)} />
        </Field>
        <Field label="Description" error={fieldError(save.error, "notes")}>
          <input value={notes} onChange={(e) => setNotes(e.target.value)} maxLength={10_000} />
        </Field>
      </div>
      <FormProblem error={save.error} fields={["hours", "notes"]} />
      <div className="row">
        <button type="submit" className="primary" disabled={save.isPending}>
          Save entry
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
