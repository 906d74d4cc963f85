import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";

import { api, idempotencyKey } from "../../api/client";
import { decimalInput } from "../../api/numbers";
import { fieldError, FormProblem } from "../../components/formErrors";
import { ErrorNote, Field } from "../../components/ui";
import { useClients } from "./lookups";
import type { InvoiceRecord } from "./model";

interface ItemRow {
  key: number;
  description: string;
  quantity: string;
  unit_price: string;
}

let nextRowKey = 1;
const emptyRow = (): ItemRow => ({ key: nextRowKey++, description: "", quantity: "1", unit_price: "" });

export function ManualInvoice({ onCancel }: { onCancel: () => void }) {
  const clients = useClients();
  const [clientId, setClientId] = useState("");
  const [rows, setRows] = useState<ItemRow[]>(() => [emptyRow()]);
  const [termsDays, setTermsDays] = useState("30");
  const client = useQueryClient();
  const navigate = useNavigate();

  const create = useMutation({
    mutationFn: ({ body, key }: { body: Record<string, unknown>; key: string }) =>
      api<InvoiceRecord>("/invoices", { body, idempotencyKey: key }),
    onSuccess: (invoice) => {
      client.setQueryData(["invoice", invoice.id], invoice);
      void client.invalidateQueries({ queryKey: ["invoices"] });
      navigate(`/invoices/${invoice.id}`);
    },
  });

  const chosenClient = clientId || clients.data?.[0]?.id || "";

  function change(key: number, patch: Partial<ItemRow>) {
    setRows((current) => current.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  }

  function removeRow(key: number) {
    setRows((current) => current.filter((r) => r.key !== key));
    create.reset(); // its errors name rows by position, which just moved
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    const body = {
      client_id: chosenClient,
      items: rows.map((r) => ({
        description: r.description.trim(),
        quantity: decimalInput(r.quantity),
        unit_price: decimalInput(r.unit_price),
      })),
      ...(termsDays.trim() ? { payment_terms_days: Number(termsDays) } : {}),
    };
    create.mutate({ body, key: idempotencyKey() });
  }

  const error = create.error;
  const fields = [
    "client_id",
    "items",
    "payment_terms_days",
    ...rows.flatMap((_, i) => [`items.${i}.description`, `items.${i}.quantity`, `items.${i}.unit_price`]),
  ];
  const noClients = clients.isSuccess && clients.data.length === 0;
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="New manual invoice">
      <Field label="Client" error={fieldError(error, "client_id")}>
        <select value={chosenClient} onChange={(e) => setClientId(e.target.value)} disabled={!clients.isSuccess}>
          {noClients && <option value="">No clients yet</option>}
          {clients.data?.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select>
      </Field>
      {clients.isError && <ErrorNote error={clients.error} />}
      {rows.map((row, i) => (
        <fieldset key={row.key} className="inv-item-row">
          <legend>Item {i + 1}</legend>
          <Field label="Description" error={fieldError(error, `items.${i}.description`)}>
            <input value={row.description} onChange={(e) => change(row.key, { description: e.target.value })} />
          </Field>
          <div className="inv-item-numbers">
            <Field label="Quantity" error={fieldError(error, `items.${i}.quantity`)}>
              <input inputMode="decimal" value={row.quantity} onChange={(e) => change(row.key, { quantity: e.target.value })} />
            </Field>
            <Field label="Unit price" error={fieldError(error, `items.${i}.unit_price`)}>
              <input inputMode="decimal" value={row.unit_price} placeholder="0.00" onChange={(e) => change(row.key, { unit_price: e.target.value })} />
            </Field>
          </div>
          {rows.length > 1 && (
            <button type="button" className="danger" onClick={() => removeRow(row.key)}>
              Remove item {i + 1}
            </button>
          )}
        </fieldset>
      ))}
      {fieldError(error, "items") && <p className="field-error" role="alert">{fieldError(error, "items")}</p>}
      <div className="row">
        <button type="button" onClick={() => setRows((current) => [...current, emptyRow()])}>Add item</button>
      </div>
      <Field label="Due in (days)" error={fieldError(error, "payment_terms_days")}>
        <input type="number" inputMode="numeric" min={0} max={365} value={termsDays} onChange={(e) => setTermsDays(e.target.value)} />
      </Field>
      <FormProblem error={error} fields={fields} />
      <div className="row">
        <button className="primary" type="submit" disabled={create.isPending || noClients}>
          {create.isPending ? "Creating…" : "Create draft"}
        </button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
