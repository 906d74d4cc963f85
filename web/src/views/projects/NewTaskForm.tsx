import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, idempotencyKey } from "../../api/client";
import { NOT_A_NUMBER, parseHours } from "../../api/numbers";
import type { Task } from "../../api/types";
import { fieldError, FormProblem } from "../../components/formErrors";
import { Card, Field } from "../../components/ui";
import { capitalize, PRIORITIES, TASK_TYPES } from "./labels";

const FIELDS = ["title", "type", "priority", "estimated_hours"] as const;

interface Draft {
  title: string;
  type: (typeof TASK_TYPES)[number];
  priority: (typeof PRIORITIES)[number];
  estimate: string;
}

const EMPTY: Draft = { title: "", type: "feature", priority: "medium", estimate: "" };

/** The task to create, or null when the estimate is not a number (rather than sending none). */
export function taskBody(d: Draft): Record<string, string | number> | null {
  const body: Record<string, string | number> = { title: d.title.trim(), type: d.type, priority: d.priority };
  if (!d.estimate.trim()) return body;
  const estimate = parseHours(d.estimate);
  return estimate === null ? null : { ...body, estimated_hours: estimate };
}

/** "New task" opens a small form; a created task lands in Backlog and the form stays for the next. */
export function NewTaskForm({ projectId }: { projectId: string }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [added, setAdded] = useState<string | null>(null);
  const [notANumber, setNotANumber] = useState(false);
  const set = <K extends keyof Draft>(key: K) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [key]: e.target.value as Draft[K] }));

  const create = useMutation({
    mutationFn: ({ body, key }: { body: Record<string, string | number>; key: string }) =>
      api<Task>(`/projects/${projectId}/tasks`, { body, idempotencyKey: key }),
    onSuccess: (task) => {
      setAdded(task.title);
      setDraft((d) => ({ ...EMPTY, type: d.type, priority: d.priority }));
      void queryClient.invalidateQueries({ queryKey: ["tasks", projectId] });
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    setAdded(null);
    const body = taskBody(draft);
    setNotANumber(body === null);
    if (body) create.mutate({ body, key: idempotencyKey() });
  }

  if (!open) {
    return (
      <div className="row">
        <button type="button" className="primary" onClick={() => setOpen(true)}>
          New task
        </button>
      </div>
    );
  }

  const err = (f: string) => fieldError(create.error, f);
  return (
    <Card title="New task">
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Title" error={err("title")}>
          <input required autoFocus value={draft.title} onChange={set("title")} autoComplete="off" />
        </Field>
        <div className="form-row">
          <Field label="Type" error={err("type")}>
            <select value={draft.type} onChange={set("type")}>
              {TASK_TYPES.map((t) => <option key={t} value={t}>{capitalize(t)}</option>)}
            </select>
          </Field>
          <Field label="Priority" error={err("priority")}>
            <select value={draft.priority} onChange={set("priority")}>
              {PRIORITIES.map((p) => <option key={p} value={p}>{capitalize(p)}</option>)}
            </select>
          </Field>
          <Field label="Estimate (hours)" error={notANumber ? NOT_A_NUMBER : err("estimated_hours")}>
            <input type="text" inputMode="decimal" value={draft.estimate} onChange={set("estimate")} />
          </Field>
        </div>
        <FormProblem error={create.error} fields={FIELDS} />
        <p role="status" className="muted form-status">{added && `Added “${added}” to Backlog.`}</p>
        <div className="row">
          <button className="primary" type="submit" disabled={create.isPending}>
            {create.isPending ? "Adding…" : "Add task"}
          </button>
          <button type="button" onClick={() => setOpen(false)}>Close</button>
        </div>
      </form>
    </Card>
  );
}
