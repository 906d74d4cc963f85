// The page's timer: the running one, big, with Stop; or a form to start one.

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, idempotencyKey } from "../../api/client";
import { clock } from "../../api/format";
import type { Project } from "../../api/types";
import { fieldError, FormProblem } from "../../components/formErrors";
import { Card, ErrorNote, Field, Loading } from "../../components/ui";
import { TIMER_KEY, useTasks, useTimer, type Entry } from "./queries";
import { useElapsed } from "./useElapsed";
import { useStopTimer } from "./useStopTimer";

interface Props {
  projects: Project[];
  names: Map<string, string>;
}

export function TimerCard({ projects, names }: Props) {
  const timer = useTimer();
  return (
    <Card title="Timer" className="timer-card">
      {timer.isPending ? (
        <Loading label="Loading timer" />
      ) : timer.isError ? (
        <ErrorNote error={timer.error} />
      ) : timer.data ? (
        <Running entry={timer.data} projectName={names.get(timer.data.project_id)} />
      ) : (
        <StartTimerForm projects={projects} />
      )}
    </Card>
  );
}

function Running({ entry, projectName }: { entry: Entry; projectName: string | undefined }) {
  const elapsed = useElapsed(entry.started_at);
  const stop = useStopTimer();
  const tasks = useTasks(entry.task_id ? entry.project_id : "");
  const task = tasks.data?.tasks.find((t) => t.id === entry.task_id);
  return (
    <div className="timer-running">
      <div className="timer-big" role="timer" aria-label="Elapsed time">
        {clock(elapsed)}
      </div>
      <div className="timer-running-what">
        <strong>{projectName ?? "Project"}</strong>
        {task && <span className="muted"> · {task.title}</span>}
        {entry.notes && <p className="muted timer-running-notes">{entry.notes}</p>}
      </div>
      {/* "Stop" rather than "Stop timer": the top bar's button already has that name. */}
      <button
        type="button"
        className="danger timer-running-stop"
        disabled={stop.isPending}
        onClick={() => stop.mutate(idempotencyKey())}
      >
        Stop
      </button>
      <ErrorNote error={stop.error} />
    </div>
  );
}

interface StartBody {
  project_id: string;
  task_id?: string;
  notes?: string;
}

function StartTimerForm({ projects }: { projects: Project[] }) {
  const queryClient = useQueryClient();
  const [projectId, setProjectId] = useState("");
  const [taskId, setTaskId] = useState("");
  const [notes, setNotes] = useState("");
  const tasks = useTasks(projectId);
  const openTasks = (tasks.data?.tasks ?? []).filter((t) => t.status !== "done" && t.status !== "cancelled");

  const start = useMutation({
    mutationFn: ({ body, key }: { body: StartBody; key: string }) =>
      api<Entry>("/timers/start", { method: "POST", body, idempotencyKey: key }),
    onSuccess: (entry) => {
      queryClient.setQueryData(TIMER_KEY, entry);
      void queryClient.invalidateQueries({ queryKey: TIMER_KEY });
      void queryClient.invalidateQueries({ queryKey: ["time-entries"] });
      setNotes("");
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body: StartBody = { project_id: projectId };
    if (taskId) body.task_id = taskId;
    if (notes.trim()) body.notes = notes.trim();
    start.mutate({ body, key: idempotencyKey() });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <div className="form-row">
        {/* Labelled apart from the Add time form's "Project", so each field has its own name. */}
        <Field label="Working on" error={fieldError(start.error, "project_id")}>
          <select
            value={projectId}
            required
            onChange={(e) => {
              setProjectId(e.target.value);
              setTaskId("");
            }}
          >
            <option value="">Choose a project</option>
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
                {p.status === "planning" ? " (planning)" : ""}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Task" hint="Optional" error={fieldError(start.error, "task_id")}>
          <select value={taskId} onChange={(e) => setTaskId(e.target.value)} disabled={!projectId}>
            <option value="">No task</option>
            {openTasks.map((t) => (
              <option key={t.id} value={t.id}>
                {t.title}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field label="What are you doing?" hint="Optional" error={fieldError(start.error, "notes")}>
        <input value={notes} onChange={(e) => setNotes(e.target.value)} maxLength={10_000} />
      </Field>
      <FormProblem error={start.error} fields={["project_id", "task_id", "notes"]} />
      <div className="row">
        <button type="submit" className="primary" disabled={!projectId || start.isPending}>
          <span aria-hidden="true">▶</span> Start timer
        </button>
      </div>
    </form>
  );
}
