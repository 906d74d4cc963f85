import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, idempotencyKey } from "../../api/client";
import { addDays, isoDate, monday } from "../../api/format";
import { projectOptionsQuery } from "../../api/queries";
import { fieldError, FormProblem } from "../../components/formErrors";
import { Card, Field } from "../../components/ui";
import { resourcesQuery } from "./People";

interface Draft {
  resource_id: string;
  project_id: string;
  allocated_hours: string;
  start_date: string;
  end_date: string;
  tentative: boolean;
}

const FIELDS = ["resource_id", "project_id", "allocated_hours", "start_date", "end_date", "tentative"] as const;

function freshDraft(): Draft {
  const start = monday(new Date());
  return {
    resource_id: "",
    project_id: "",
    allocated_hours: "",
    start_date: isoDate(start),
    end_date: isoDate(addDays(start, 4 * 7 - 3)), // four working weeks, ending on a Friday
    tentative: false,
  };
}

/** The POST /allocations body; hours per week travel as a JSON number (the gateway refuses a string). */
export function allocationBody(d: Draft) {
  return {
    resource_id: d.resource_id,
    project_id: d.project_id,
    allocated_hours: d.allocated_hours.trim() === "" ? null : Number(d.allocated_hours),
    start_date: d.start_date,
    end_date: d.end_date,
    tentative: d.tentative,
  };
}

export function AllocationForm() {
  const queryClient = useQueryClient();
  // Only those who count today can be booked (one who has left is refused); the People list's
  // default page, so the two share one fetch.
  const resources = useQuery({
    ...resourcesQuery("active"),
    select: (d) => [...d.resources].sort((a, b) => a.name.localeCompare(b.name)),
  });
  const projects = useQuery({
    ...projectOptionsQuery,
    select: (d) => d.projects.filter((p) => p.status !== "archived" && p.status !== "completed"),
  });
  const [draft, setDraft] = useState<Draft>(freshDraft);
  const [added, setAdded] = useState<string | null>(null);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const create = useMutation({
    mutationFn: ({ body, key }: { body: ReturnType<typeof allocationBody>; key: string }) =>
      api("/allocations", { body, idempotencyKey: key }),
    onSuccess: (_created, { body }) => {
      void queryClient.invalidateQueries({ queryKey: ["capacity"] });
      void queryClient.invalidateQueries({ queryKey: ["project", body.project_id] });
      const who = resources.data?.find((r) => r.id === body.resource_id)?.name ?? "The person";
      setAdded(`${who}: ${body.allocated_hours} h a week${body.tentative ? " (tentative)" : ""} added.`);
      setDraft((d) => ({ ...d, allocated_hours: "", tentative: false }));
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    setAdded(null);
    create.mutate({ body: allocationBody(draft), key: idempotencyKey() });
  }

  const err = (field: string) => fieldError(create.error, field);
  const noPeople = resources.data?.length === 0;
  const noProjects = projects.data?.length === 0;

  return (
    <Card title="Add allocation" className="allocation-card">
      <form className="form" onSubmit={submit} noValidate>
        <div className="form-row">
          <Field label="Person" error={err("resource_id")} hint={noPeople ? "No people yet: add resources first." : undefined}>
            <select value={draft.resource_id} onChange={(e) => set("resource_id", e.target.value)} required>
              <option value="">{resources.isPending ? "Loading…" : "Choose a person"}</option>
              {resources.data?.map((r) => (
                <option key={r.id} value={r.id}>{r.name}</option>
              ))}
            </select>
          </Field>
          <Field label="Project" error={err("project_id")} hint={noProjects ? "No open projects yet." : undefined}>
            <select value={draft.project_id} onChange={(e) => set("project_id", e.target.value)} required>
              <option value="">{projects.isPending ? "Loading…" : "Choose a project"}</option>
              {projects.data?.map((p) => (
                <option key={p.id} value={p.id}>{p.name}</option>
              ))}
            </select>
          </Field>
        </div>
        <div className="form-row">
          <Field label="Hours per week" error={err("allocated_hours")}>
            <input
              type="number"
              inputMode="decimal"
              min="0.5"
              max="168"
              step="0.5"
              value={draft.allocated_hours}
              onChange={(e) => set("allocated_hours", e.target.value)}
              required
            />
          </Field>
          <Field label="Start date" error={err("start_date")}>
            <input type="date" value={draft.start_date} onChange={(e) => set("start_date", e.target.value)} required />
          </Field>
          <Field label="End date" error={err("end_date")}>
            <input type="date" value={draft.end_date} onChange={(e) => set("end_date", e.target.value)} required />
          </Field>
        </div>
        <div className="cap-check-field">
          <label className="cap-check">
            <input
              type="checkbox"
              checked={draft.tentative}
              onChange={(e) => set("tentative", e.target.checked)}
              aria-describedby="tentative-hint"
            />
            Tentative
          </label>
          <span id="tentative-hint" className="field-hint">Pencilled in: shown apart, not counted as booked.</span>
        </div>
        <FormProblem error={create.error} fields={FIELDS} />
        {added && <p className="cap-note" role="status">{added}</p>}
        <div className="row">
          <button className="primary" type="submit" disabled={create.isPending}>
            {create.isPending ? "Adding…" : "Add allocation"}
          </button>
        </div>
      </form>
    </Card>
  );
}
