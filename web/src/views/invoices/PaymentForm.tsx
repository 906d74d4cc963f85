import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, idempotencyKey } from "../../api/client";
import type { Payment } from "../../api/types";
import { decimalInput } from "../../api/numbers";
import { fieldError, FormProblem } from "../../components/formErrors";
import { Field } from "../../components/ui";
import { today } from "./forms";
import { PAYMENT_METHODS, type InvoiceRecord } from "./model";

const FIELDS = ["amount", "paid_at", "method", "reference"];

/** A day picked in the form as the instant the gateway records: now for today, else that day's
 * local noon, which stays on the same date in every timezone people work in. */
function paidAt(day: string): string {
  return day === today() ? new Date().toISOString() : new Date(`${day}T12:00:00`).toISOString();
}

export function PaymentForm({ invoice, onRecorded }: {
  invoice: InvoiceRecord;
  onRecorded: (payment: Payment) => void;
}) {
  const [amount, setAmount] = useState(invoice.amount_due);
  const [dueShown, setDueShown] = useState(invoice.amount_due);
  if (dueShown !== invoice.amount_due) {
    // What is due changed (a payment here or elsewhere): offer the new balance.
    setDueShown(invoice.amount_due);
    setAmount(invoice.amount_due);
  }
  const [day, setDay] = useState(today);
  const [method, setMethod] = useState("bank_transfer");
  const [reference, setReference] = useState("");
  const client = useQueryClient();

  const record = useMutation({
    mutationFn: ({ body, key }: { body: Record<string, unknown>; key: string }) =>
      api<Payment>(`/invoices/${invoice.id}/payments`, { body, idempotencyKey: key }),
    onSuccess: (payment) => {
      setReference("");
      onRecorded(payment);
      void client.invalidateQueries({ queryKey: ["invoice", invoice.id] });
      void client.invalidateQueries({ queryKey: ["payments", invoice.id] });
      void client.invalidateQueries({ queryKey: ["invoices"] });
      void client.invalidateQueries({ queryKey: ["dashboard"] });
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const body = {
      amount: decimalInput(amount),
      paid_at: paidAt(day),
      method,
      ...(reference.trim() ? { reference: reference.trim() } : {}),
    };
    record.mutate({ body, key: idempotencyKey() });
  }

  const error = record.error;
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Record payment">
      <div className="form-row">
        <Field label="Amount" error={fieldError(error, "amount")}>
          <input inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} required />
        </Field>
        <Field label="Payment date" error={fieldError(error, "paid_at")}>
          <input type="date" value={day} max={today()} onChange={(e) => setDay(e.target.value)} required />
        </Field>
      </div>
      <div className="form-row">
        <Field label="Method" error={fieldError(error, "method")}>
          <select value={method} onChange={(e) => setMethod(e.target.value)}>
            {PAYMENT_METHODS.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </Field>
        <Field label="Reference" error={fieldError(error, "reference")}>
          <input value={reference} placeholder="Optional, e.g. a transfer id" onChange={(e) => setReference(e.target.value)} />
        </Field>
      </div>
      <FormProblem error={error} fields={FIELDS} />
      <div className="row">
        <button className="primary" type="submit" disabled={record.isPending}>
          {record.isPending ? "Recording…" : "Record payment"}
        </button>
      </div>
    </form>
  );
}
