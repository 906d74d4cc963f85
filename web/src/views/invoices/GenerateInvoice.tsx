import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";

import { api, ApiError, idempotencyKey } from "../../api/client";
import { decimalInput } from "../../api/numbers";
import { fieldError, FormProblem } from "../../components/formErrors";
import { ErrorNote, Field } from "../../components/ui";
import { lastMonth } from "./forms";
import { useProjects } from "./lookups";
import type { InvoiceRecord } from "./model";

const GROUP_BY = [
  ["project", "Whole project"],
  ["task", "Task"],
  ["person", "Person"],
  ["date", "Date"],
  ["none", "Each entry"],
] as const;

const FIELDS = ["project_id", "period_start", "period_end", "group_by", "include_expenses", "tax_rate"];

export const NOTHING_TO_BILL = "Nothing to bill in this period.";

/** The gateway names `period_start` when the period holds nothing billable: say so plainly. */
function periodStartError(error: unknown): string | undefined {
  const message = fieldError(error, "period_start");
  if (!message) return undefined;
  return /nothing to bill/i.test(message) ? NOTHING_TO_BILL : message;
}

export function GenerateInvoice({ onCancel }: { onCancel: () => void }) {
  const projects = useProjects();
  const billable = (projects.data ?? []).filter((p) => p.status !== "archived");
  const month = lastMonth();
  const [projectId, setProjectId] = useState("");
  const [periodStart, setPeriodStart] = useState(month.start);
  const [periodEnd, setPeriodEnd] = useState(month.end);
  const [groupBy, setGroupBy] = useState("project");
  const [includeExpenses, setIncludeExpenses] = useState(true);
  const [taxRate, setTaxRate] = useState("");
  const client = useQueryClient();
  const navigate = useNavigate();

  const generate = useMutation({
    mutationFn: ({ body, key }: { body: Record<string, unknown>; key: string }) =>
      api<InvoiceRecord>("/invoices/generate", { body, idempotencyKey: key }),
    onSuccess: (invoice) => {
      client.setQueryData(["invoice", invoice.id], invoice);
      void client.invalidateQueries({ queryKey: ["invoices"] });
      void client.invalidateQueries({ queryKey: ["time-entries"] });
      navigate(`/invoices/${invoice.id}`);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const chosen = projectId || billable[0]?.id || "";
    const body = {
      project_id: chosen,
      period_start: periodStart,
      period_end: periodEnd,
      group_by: groupBy,
      include_expenses: includeExpenses,
      ...(taxRate.trim() ? { tax_rate: decimalInput(taxRate) } : {}),
    };
    generate.mutate({ body, key: idempotencyKey() });
  }

  const error = generate.error;
  const noProjects = projects.isSuccess && billable.length === 0;
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Generate invoice">
      <Field label="Project" error={fieldError(error, "project_id")}>
        <select value={projectId || billable[0]?.id || ""} onChange={(e) => setProjectId(e.target.value)} disabled={!projects.isSuccess}>
          {noProjects && <option value="">No projects yet</option>}
          {billable.map((p) => (
            <option key={p.id} value={p.id}>
              {p.client_name ? `${p.name} — ${p.client_name}` : p.name}
            </option>
          ))}
        </select>
      </Field>
      {projects.error instanceof ApiError && projects.error.status !== 403 && <ErrorNote error={projects.error} />}
      <div className="form-row">
        <Field label="Period start" error={periodStartError(error)}>
          <input type="date" value={periodStart} onChange={(e) => setPeriodStart(e.target.value)} required />
        </Field>
        <Field label="Period end" error={fieldError(error, "period_end")}>
          <input type="date" value={periodEnd} min={periodStart} onChange={(e) => setPeriodEnd(e.target.value)} required />
        </Field>
      </div>
      <div className="form-row">
        <Field label="Group by" error={fieldError(error, "group_by")}>
          <select value={groupBy} onChange={(e) => setGroupBy(e.target.value)}>
            {GROUP_BY.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </Field>
        <Field label="Tax rate %" error={fieldError(error, "tax_rate")}>
          <input inputMode="decimal" value={taxRate} onChange={(e) => setTaxRate(e.target.value)} placeholder="0" />
        </Field>
      </div>
      <label className="inv-check">
        <input type="checkbox" checked={includeExpenses} onChange={(e) => setIncludeExpenses(e.target.checked)} />
        Include billable expenses
      </label>
      <FormProblem error={error} fields={FIELDS} />
      <div className="row">
        <button className="primary" type="submit" disabled={generate.isPending || noProjects}>
          {generate.isPending ? "Generating…" : "Generate draft"}
        </button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
