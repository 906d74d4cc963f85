import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";

import { api, idempotencyKey } from "../../api/client";
import { addDays, isoDate, shortDate } from "../../api/format";
import type { Sprint } from "../../api/types";
import { fieldError } from "../../components/formErrors";
import { Badge, Card, Empty, ErrorNote, Field, Loading } from "../../components/ui";
import { Meter } from "./Meter";
import { SPRINT_STATUS_LABEL, SPRINT_STATUS_TONE } from "./labels";
import { FormActions } from "../../components/FormActions";

/** The step each sprint status offers a manager, if any. */
const NEXT: Partial<Record<Sprint["status"], { status: Sprint["status"]; label: string }>> = {
  planning: { status: "active", label: "Start sprint" },
  active: { status: "completed", label: "Complete sprint" },
};

export function Sprints({ projectId, canManage }: { projectId: string; canManage: boolean }) {
  const sprints = useQuery({
    queryKey: ["sprints", projectId],
    queryFn: ({ signal }) =>
      api<{ sprints: Sprint[] }>(`/projects/${projectId}/sprints`, { query: { limit: 500 }, signal }),
    select: (d) => [...d.sprints].sort((a, b) => a.start_date.localeCompare(b.start_date)),
  });

  return (
    <div className="grid">
      {canManage && <NewSprintForm projectId={projectId} />}
      {sprints.isPending ? (
        <Loading label="Loading sprints" />
      ) : sprints.isError ? (
        <ErrorNote error={sprints.error} />
      ) : sprints.data.length === 0 ? (
        <Empty>No sprints yet.</Empty>
      ) : (
        <ul className="sprint-list">
          {sprints.data.map((s) => (
            <SprintCard key={s.id} sprint={s} canManage={canManage} />
          ))}
        </ul>
      )}
    </div>
  );
}

function SprintCard({ sprint, canManage }: { sprint: Sprint; canManage: boolean }) {
  const queryClient = useQueryClient();
  const headingId = useId();
  const next = NEXT[sprint.status];
  const advance = useMutation({
    mutationFn: (status: Sprint["status"]) =>
      api<Sprint>(`/sprints/${sprint.id}`, { method: "PATCH", body: { status } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["sprints", sprint.project_id] }),
  });
  const points = `${sprint.completed_points} of ${sprint.total_points} points`;
  return (
    <li className="card sprint-card" aria-labelledby={headingId}>
      <div className="spread">
        <h2 id={headingId}>{sprint.name}</h2>
        <Badge tone={SPRINT_STATUS_TONE[sprint.status]}>{SPRINT_STATUS_LABEL[sprint.status]}</Badge>
      </div>
      <p className="muted">{shortDate(sprint.start_date)} – {shortDate(sprint.end_date)}</p>
      {sprint.goal && <p>{sprint.goal}</p>}
      <Meter
        label="Points completed"
        value={sprint.completed_points}
        max={Math.max(sprint.total_points, 1)}
        text={points}
        tone={sprint.total_points > 0 && sprint.completed_points >= sprint.total_points ? "good" : "none"}
      />
      {canManage && next && (
        <div className="row sprint-actions">
          <button type="button" onClick={() => advance.mutate(next.status)} disabled={advance.isPending}>
            {advance.isPending ? "Saving…" : next.label}
          </button>
        </div>
      )}
      <ErrorNote error={advance.error} />
    </li>
  );
}

const FIELDS = ["name", "goal", "start_date", "end_date"] as const;

function twoWeeksFromToday() {
  const today = new Date();
  return { start_date: isoDate(today), end_date: isoDate(addDays(today, 13)) };
}

function NewSprintForm({ projectId }: { projectId: string }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(() => ({ name: "", goal: "", ...twoWeeksFromToday() }));
  const set = (key: keyof typeof draft) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [key]: e.target.value }));

  const create = useMutation({
    mutationFn: ({ body, key }: { body: typeof draft; key: string }) =>
      api<Sprint>(`/projects/${projectId}/sprints`, { body, idempotencyKey: key }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["sprints", projectId] });
      setDraft({ name: "", goal: "", ...twoWeeksFromToday() });
      setOpen(false);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate({ body: { ...draft, name: draft.name.trim(), goal: draft.goal.trim() }, key: idempotencyKey() });
  }

  if (!open) {
    return (
      <div className="row">
        <button type="button" className="primary" onClick={() => setOpen(true)}>New sprint</button>
      </div>
    );
  }
  const err = (f: string) => fieldError(create.error, f);
  return (
    <Card title="New sprint">
      <form className="form" onSubmit={submit} noValidate>
        <div className="form-row">
          <Field label="Sprint name" error={err("name")}>
            <input required autoFocus value={draft.name} onChange={set("name")} autoComplete="off" />
          </Field>
          <Field label="Start date" error={err("start_date")}>
            <input type="date" required value={draft.start_date} onChange={set("start_date")} />
          </Field>
          <Field label="End date" error={err("end_date")}>
            <input type="date" required value={draft.end_date} onChange={set("end_date")} />
          </Field>
        </div>
        <Field label="Goal" error={err("goal")}>
          <textarea value={draft.goal} onChange={set("goal")} rows={2} />
        </Field>
        <FormActions error={create.error} fields={FIELDS} busy={create.isPending}
          label="Create sprint" busyLabel="Creating…" onCancel={() => setOpen(false)} />
      </form>
    </Card>
  );
}
