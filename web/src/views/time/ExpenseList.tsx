// A project's expenses one by one: any can be changed or deleted unless invoiced (the gateway
// then says why not).

import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api } from "../../api/client";
import { money, shortDate } from "../../api/format";
import { ConfirmButton } from "../../components/ConfirmButton";
import { Badge, ErrorNote } from "../../components/ui";
import { expenseCategoryLabel } from "./labels";
import type { Expense } from "./queries";

export function ExpenseList({ expenses, editingId, onEdit, personName, showPeople }: {
  expenses: Expense[];
  editingId: string | null;
  onEdit: (expense: Expense) => void;
  personName: (userId: string) => string;
  /** Someone else's are among them (a manager reads everyone's): say whose each is. */
  showPeople: boolean;
}) {
  return (
    <table className="table expense-table">
      <thead>
        <tr>
          <th scope="col">Date</th>
          <th scope="col">Description</th>
          <th scope="col">Category</th>
          {showPeople && <th scope="col">By</th>}
          <th scope="col" className="num">Amount</th>
          <th scope="col">Status</th>
          <th scope="col"><span className="sr-only">Actions</span></th>
        </tr>
      </thead>
      <tbody>
        {expenses.map((x) => (
          <ExpenseRow
            key={x.id}
            expense={x}
            editing={x.id === editingId}
            onEdit={() => onEdit(x)}
            person={showPeople ? personName(x.user_id) : undefined}
            columns={showPeople ? 7 : 6}
          />
        ))}
      </tbody>
    </table>
  );
}

function ExpenseRow({ expense, editing, onEdit, person, columns }: {
  expense: Expense;
  editing: boolean;
  onEdit: () => void;
  person?: string;
  columns: number;
}) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api(`/expenses/${expense.id}`, { method: "DELETE" }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["expenses", expense.project_id] });
      void queryClient.invalidateQueries({ queryKey: ["project", expense.project_id] });
    },
  });
  const amount = money(expense.amount, expense.currency);
  const what = `${expense.description} (${amount}, ${shortDate(expense.expense_date)})`;

  return (
    <>
      <tr className={editing ? "expense-editing" : undefined}>
        <td data-label="Date">{shortDate(expense.expense_date)}</td>
        <td data-label="Description" className="lead expense-description">{expense.description}</td>
        <td data-label="Category">{expenseCategoryLabel(expense.category)}</td>
        {person !== undefined && <td data-label="By">{person}</td>}
        <td data-label="Amount" className="num">{amount}</td>
        <td data-label="Status">
          <span className="row expense-badges">
            {expense.invoice_id ? <Badge tone="info">invoiced</Badge> : <Badge>not invoiced</Badge>}
            {!expense.billable && <Badge>non-billable</Badge>}
            {editing && <Badge tone="warn">editing</Badge>}
          </span>
        </td>
        <td data-label="Actions" className="expense-actions">
          <span className="row">
            {!expense.invoice_id && (
              <button type="button" aria-label={`Edit ${what}`} aria-pressed={editing} onClick={onEdit}>
                Edit
              </button>
            )}
            <ConfirmButton
              label="Delete"
              name={`Delete ${what}`}
              confirmLabel="Yes, delete"
              question={`Delete ${what}?`}
              busy={remove.isPending}
              busyLabel="Deleting…"
              onConfirm={() => remove.mutate()}
            />
          </span>
        </td>
      </tr>
      {remove.isError && (
        <tr className="expense-detail">
          <td colSpan={columns}>
            <ErrorNote error={remove.error} />
          </td>
        </tr>
      )}
    </>
  );
}
