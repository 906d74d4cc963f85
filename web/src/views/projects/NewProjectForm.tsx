import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";

import { api, idempotencyKey } from "../../api/client";
import { clientsQuery } from "../../api/queries";
import type { Project, ProjectStatus } from "../../api/types";
import { fieldError } from "../../components/formErrors";
import { Card, Field } from "../../components/ui";
import { BUDGET_TYPE_LABEL, PROJECT_STATUS_LABEL, PROJECT_STATUSES, type BudgetType } from "./labels";
import { FormActions } from "../../components/FormActions";

/** The client select's value for "a client not in the list yet". */
const NEW_CLIENT = "__new__";

const FIELDS = [
  "name", "client_id", "client_name", "budget_type", "budget_total", "budget_currency",
  "start_date", "end_date", "status",
] as const;

interface Draft {
  name: string;
  client: string; // a client id, NEW_CLIENT, or "" for none
  newClientName: string;
  budget_type: BudgetType;
  budget_total: string;
  budget_currency: string;
  start_date: string;
  end_date: string;
  status: ProjectStatus;
}

/** The POST /projects body: optional fields left empty are not sent at all. */
export function projectBody(d: Draft): Record<string, string> {
  const body: Record<string, string> = {
    name: d.name.trim(),
    budget_type: d.budget_type,
    budget_currency: d.budget_currency.trim().toUpperCase(),
    status: d.status,
  };
  if (d.client === NEW_CLIENT) {
    if (d.newClientName.trim()) body.client_name = d.newClientName.trim();
  } else if (d.client) {
    body.client_id = d.client;
  }
  if (d.budget_total.trim()) body.budget_total = d.budget_total.trim();
  if (d.start_date) body.start_date = d.start_date;
  if (d.end_date) body.end_date = d.end_date;
  return body;
}

export function NewProjectForm({ defaultCurrency, onCancel }: { defaultCurrency: string; onCancel: () => void }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const clients = useQuery({
    ...clientsQuery,
    select: (d) => d.clients,
  });
  const [draft, setDraft] = useState<Draft>({
    name: "",
    client: "",
    newClientName: "",
    budget_type: "fixed_fee",
    budget_total: "",
    budget_currency: defaultCurrency,
    start_date: "",
    end_date: "",
    status: "planning",
  });
  const set = <K extends keyof Draft>(key: K) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [key]: e.target.value as Draft[K] }));

  const create = useMutation({
    mutationFn: ({ body, key }: { body: Record<string, string>; key: string }) =>
      api<Project>("/projects", { body, idempotencyKey: key }),
    onSuccess: (project, { body }) => {
      void queryClient.invalidateQueries({ queryKey: ["projects"] });
      if (body.client_name) void queryClient.invalidateQueries({ queryKey: ["clients"] });
      navigate(`/projects/${project.id}`);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate({ body: projectBody(draft), key: idempotencyKey() });
  }

  const err = (field: string) => fieldError(create.error, field);

  return (
    <Card title="New project">
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Project name" error={err("name")}>
          <input required autoFocus value={draft.name} onChange={set("name")} autoComplete="off" />
        </Field>
        <div className="form-row">
          <Field label="Client" error={err("client_id")}>
            <select value={draft.client} onChange={set("client")}>
              <option value="">No client</option>
              {clients.data?.map((c) => (
                <option key={c.id} value={c.id}>{c.name}</option>
              ))}
              <option value={NEW_CLIENT}>New client…</option>
            </select>
          </Field>
          {draft.client === NEW_CLIENT && (
            <Field label="New client name" error={err("client_name")}>
              <input value={draft.newClientName} onChange={set("newClientName")} autoComplete="organization" />
            </Field>
          )}
        </div>
        <div className="form-row">
          <Field label="Budget type" error={err("budget_type")}>
            <select value={draft.budget_type} onChange={set("budget_type")}>
              {(Object.keys(BUDGET_TYPE_LABEL) as BudgetType[]).map((t) => (
                <option key={t} value={t}>{BUDGET_TYPE_LABEL[t]}</option>
              ))}
            </select>
          </Field>
          <Field label="Budget total" error={err("budget_total")}>
            <input inputMode="decimal" value={draft.budget_total} onChange={set("budget_total")} placeholder="25000.00" />
          </Field>
          <Field label="Currency" error={err("budget_currency")}>
            <input
              value={draft.budget_currency}
              onChange={set("budget_currency")}
              maxLength={3}
              autoCapitalize="characters"
              spellCheck={false}
            />
          </Field>
        </div>
        <div className="form-row">
          <Field label="Start date" error={err("start_date")}>
            <input type="date" value={draft.start_date} onChange={set("start_date")} />
          </Field>
          <Field label="End date" error={err("end_date")}>
            <input type="date" value={draft.end_date} onChange={set("end_date")} />
          </Field>
          <Field label="Status" error={err("status")}>
            <select value={draft.status} onChange={set("status")}>
              {PROJECT_STATUSES.map((s) => (
                <option key={s} value={s}>{PROJECT_STATUS_LABEL[s]}</option>
              ))}
            </select>
          </Field>
        </div>
        <FormActions error={create.error} fields={FIELDS} busy={create.isPending}
          label="Create project" busyLabel="Creating…" onCancel={onCancel} />
      </form>
    </Card>
  );
}
