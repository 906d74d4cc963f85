// Record an expense on a project, or change one: description, amount, currency, date, category,
// billable. The gateway checks every value; its 422 names each field, shown beside it.

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";

import { api, idempotencyKey } from "../../api/client";
import { isoDate, money } from "../../api/format";
import { decimalInput } from "../../api/numbers";
import { FormActions } from "../../components/FormActions";
import { fieldError } from "../../components/formErrors";
import { Field } from "../../components/ui";
import { EXPENSE_CATEGORIES, EXPENSE_CATEGORY_LABEL, type ExpenseCategory } from "./labels";
import type { Expense } from "./queries";

const FIELDS = ["description", "amount", "currency", "expense_date", "category", "billable"] as const;

type ExpenseFields = Pick<Expense, "description" | "amount" | "currency" | "expense_date" | "category" | "billable">;

/** With `expense`, changes it (only the fields that differ are sent); without, records a new one
 * on `projectId` in `currency` unless another is typed. */
export function ExpenseForm({ projectId, currency, expense, onDone, onCancel }: {
  projectId: string;
  currency: string;
  expense?: Expense;
  onDone?: (saved: Expense) => void;
  onCancel?: () => void;
}) {
  const queryClient = useQueryClient();
  const [description, setDescription] = useState(expense?.description ?? "");
  const [amount, setAmount] = useState(expense?.amount ?? "");
  const [currencyText, setCurrency] = useState(expense?.currency ?? currency);
  const [date, setDate] = useState(expense?.expense_date ?? isoDate(new Date()));
  const [category, setCategory] = useState<ExpenseCategory>(expense?.category ?? "other");
  const [billable, setBillable] = useState(expense?.billable ?? true);
  // A new project's currency becomes the default, unless one was typed for this expense.
  const [shownCurrency, setShownCurrency] = useState(currency);
  if (!expense && shownCurrency !== currency) {
    setShownCurrency(currency);
    if (currencyText === shownCurrency) setCurrency(currency);
  }
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (expense) first.current?.focus();
  }, [expense]);

  const save = useMutation({
    mutationFn: (body: Partial<ExpenseFields>) =>
      expense
        ? api<Expense>(`/expenses/${expense.id}`, { method: "PATCH", body })
        : api<Expense>(`/projects/${projectId}/expenses`, { method: "POST", body, idempotencyKey: idempotencyKey() }),
    onSuccess: (saved) => {
      if (!expense) {
        setDescription("");
        setAmount("");
      }
      void queryClient.invalidateQueries({ queryKey: ["expenses", saved.project_id] });
      void queryClient.invalidateQueries({ queryKey: ["project", saved.project_id] });
      onDone?.(saved);
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const typed: ExpenseFields = {
      description: description.trim(),
      amount: decimalInput(amount),
      currency: currencyText.trim().toUpperCase(),
      expense_date: date,
      category,
      billable,
    };
    if (!expense) {
      // No currency typed: the gateway takes the project's.
      const { currency: code, ...rest } = typed;
      save.mutate(code ? typed : rest);
      return;
    }
    const changed = Object.fromEntries(
      Object.entries(typed).filter(([key, value]) => value !== expense[key as keyof ExpenseFields]),
    ) as Partial<ExpenseFields>;
    if (Object.keys(changed).length === 0) onCancel?.();
    else save.mutate(changed);
  };

  const name = expense ? "Edit expense" : "Add expense";
  return (
    <form className="form expense-form" onSubmit={submit} noValidate aria-label={name}>
      <Field label="Description" error={fieldError(save.error, "description")}>
        <input ref={first} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} required />
      </Field>
      <div className="form-row expense-numbers">
        <Field label="Amount" error={fieldError(save.error, "amount")}>
          <input type="text" inputMode="decimal" placeholder="120.50" value={amount} onChange={(e) => setAmount(e.target.value)} required />
        </Field>
        <Field label="Currency" hint="ISO code, e.g. EUR" error={fieldError(save.error, "currency")}>
          <input
            value={currencyText}
            onChange={(e) => setCurrency(e.target.value.toUpperCase())}
            maxLength={3}
            autoCapitalize="characters"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
        <Field label="Date" error={fieldError(save.error, "expense_date")}>
          <input type="date" value={date} onChange={(e) => setDate(e.target.value)} required />
        </Field>
        <Field label="Category" error={fieldError(save.error, "category")}>
          <select value={category} onChange={(e) => setCategory(e.target.value as ExpenseCategory)}>
            {EXPENSE_CATEGORIES.map((c) => (
              <option key={c} value={c}>{EXPENSE_CATEGORY_LABEL[c]}</option>
            ))}
          </select>
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={billable} onChange={(e) => setBillable(e.target.checked)} />
        Billable to the client
      </label>
      {fieldError(save.error, "billable") && <span className="field-error" role="alert">{fieldError(save.error, "billable")}</span>}
      {!expense && save.isSuccess && (
        <p className="muted" role="status">
          Added {money(save.data.amount, save.data.currency)} for {save.data.description}.
        </p>
      )}
      <FormActions
        error={save.error}
        fields={FIELDS}
        busy={save.isPending}
        label={expense ? "Save expense" : "Add expense"}
        busyLabel="Saving…"
        onCancel={onCancel}
      />
    </form>
  );
}
