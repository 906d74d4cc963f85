// Expenses: a project's (in the URL: ?project=), as the gateway shows them to the reader (a
// manager sees everyone's, a member their own), with one form to add an expense or change one.

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useSearchParams } from "react-router-dom";

import { ApiError } from "../../api/client";
import { projectOptionsQuery } from "../../api/queries";
import { useSession } from "../../api/session";
import type { Project, ProjectStatus } from "../../api/types";
import { Card, Empty, ErrorNote, Field, Loading } from "../../components/ui";
import { ExpenseForm } from "./ExpenseForm";
import { ExpenseList } from "./ExpenseList";
import { useExpenses, useMemberNames, type Expense } from "./queries";

// Archived projects take no expenses; the ones in progress come first.
const ORDER: ProjectStatus[] = ["active", "planning", "on_hold", "completed"];

function pickable(page: { projects: Project[] }): Project[] {
  return ORDER.flatMap((status) => page.projects.filter((p) => p.status === status));
}

export function Expenses() {
  const { me } = useSession();
  const [params, setParams] = useSearchParams();
  const projects = useQuery({ ...projectOptionsQuery, select: pickable });
  const list = projects.data ?? [];
  const chosen = params.get("project") ?? "";
  const project = list.find((p) => p.id === chosen) ?? (chosen ? undefined : list[0]);
  const projectId = project?.id ?? chosen;
  const expenses = useExpenses(projectId);
  const people = useMemberNames();
  const [editing, setEditing] = useState<Expense | null>(null);

  const choose = (id: string) => {
    setEditing(null);
    setParams(
      (p) => {
        p.set("project", id);
        return p;
      },
      { replace: true },
    );
  };

  const refused = expenses.error instanceof ApiError && expenses.error.status === 403;
  const rows = expenses.data?.pages.flatMap((p) => p.expenses) ?? [];
  const currency = project?.budget_currency || me?.organization.currency || "USD";

  return (
    <div className="grid">
      <div className="expense-picker">
        <Field label="Project">
          <select value={projectId} onChange={(e) => choose(e.target.value)} disabled={list.length === 0}>
            {list.length === 0 && <option value="">No projects yet</option>}
            {list.map((p) => (
              <option key={p.id} value={p.id}>{p.name}</option>
            ))}
          </select>
        </Field>
      </div>
      {projects.isPending ? (
        <Loading label="Loading projects" />
      ) : projects.isError ? (
        <ErrorNote error={projects.error} />
      ) : !projectId ? (
        <Card><Empty>Create a project first: expenses are recorded on one.</Empty></Card>
      ) : refused ? (
        <Card><Empty>Expenses are recorded and read by members, managers and admins.</Empty></Card>
      ) : (
        <div className="grid expenses-layout">
          <Card title={editing ? "Edit expense" : "Add expense"}>
            <ExpenseForm
              key={editing?.id ?? `new-${projectId}`}
              projectId={projectId}
              currency={currency}
              expense={editing ?? undefined}
              onDone={editing ? () => setEditing(null) : undefined}
              onCancel={editing ? () => setEditing(null) : undefined}
            />
          </Card>
          <Card title={project ? `Expenses on ${project.name}` : "Expenses"} className="expenses-card">
            {expenses.isPending ? (
              <Loading label="Loading expenses" />
            ) : expenses.isError ? (
              <ErrorNote error={expenses.error} />
            ) : rows.length === 0 ? (
              <Empty>No expenses on this project yet.</Empty>
            ) : (
              <ExpenseList
                expenses={rows}
                editingId={editing?.id ?? null}
                onEdit={setEditing}
                personName={(id) => (id === me?.user.id ? "You" : people.data?.get(id) ?? "A team member")}
                showPeople={rows.some((x) => x.user_id !== me?.user.id)}
              />
            )}
            {expenses.hasNextPage && (
              <button type="button" onClick={() => void expenses.fetchNextPage()} disabled={expenses.isFetchingNextPage}>
                {expenses.isFetchingNextPage ? "Loading…" : "Load more expenses"}
              </button>
            )}
          </Card>
        </div>
      )}
    </div>
  );
}
