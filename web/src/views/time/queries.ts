// The time views' reads, keyed by the live-event families (live/events.ts) so a time entry
// recorded anywhere refreshes them.

import { useInfiniteQuery, useQueries, useQuery } from "@tanstack/react-query";

import { api, ApiError } from "../../api/client";
import { personName } from "../../api/format";
import { membersQuery, projectOptionsQuery, projectQuery } from "../../api/queries";
import type { Project, Task, TimeEntry } from "../../api/types";
import type { ExpenseCategory } from "./labels";

export interface TimeEntryPage {
  time_entries: Entry[];
  next_cursor: string | null;
}

interface TaskPage {
  tasks: Task[];
  next_cursor: string | null;
}

/**
 * A time entry as the gateway answers it: a running timer's hours are null until it stops, and
 * the entry says why it is locked (types.ts reads neither). `cost_rate` is left out on purpose:
 * the time views never show it.
 */
export type Entry = Omit<TimeEntry, "hours" | "rounded_hours" | "cost_rate"> & {
  hours: number | null;
  rounded_hours: number | null;
  locked_reason?: string | null;
};

export interface Week {
  from: string;
  to: string;
}

export const TIMER_KEY = ["timer"] as const;

/** The caller's running timer, or null when none runs (the gateway answers 404). */
export function useTimer() {
  return useQuery({
    queryKey: TIMER_KEY,
    queryFn: async ({ signal }) => {
      try {
        return await api<Entry>("/timers/current", { signal });
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
}

/** One project, e.g. to name the running timer's. Shares ProjectDetail's cache entry. */
export function useProject(projectId: string | undefined) {
  return useQuery({
    ...projectQuery(projectId ?? ""),
    enabled: Boolean(projectId),
    staleTime: 60_000,
  });
}

/** Projects time can be logged to: active ones first, then those still in planning. */
function openFirst(page: { projects: Project[] }): Project[] {
  return (["active", "planning"] as const).flatMap((status) => page.projects.filter((p) => p.status === status));
}

export function useOpenProjects() {
  const open = useQuery({ ...projectOptionsQuery, select: openFirst });
  return { projects: open.data ?? [], isPending: open.isPending, error: open.error };
}

/**
 * Names for the projects of `entries`: the open projects' names, then a lookup for any other
 * (an entry may sit on a project completed since).
 */
export function useProjectNames(
  projectIds: string[],
  known: { projects: Project[]; isPending: boolean },
): Map<string, string> {
  const names = new Map(known.projects.map((p) => [p.id, p.name]));
  const missing = known.isPending ? [] : [...new Set(projectIds)].filter((id) => !names.has(id));
  const lookups = useQueries({
    queries: missing.map((id) => ({ ...projectQuery(id), staleTime: 60_000 })),
  });
  lookups.forEach((l, i) => {
    if (l.data) names.set(missing[i], l.data.name);
  });
  return names;
}

/** A project's tasks; the same key and page as the project board, so they share one fetch. */
export function useTasks(projectId: string) {
  return useQuery({
    queryKey: ["tasks", projectId],
    queryFn: ({ signal }) => api<TaskPage>(`/projects/${projectId}/tasks`, { query: { limit: 500 }, signal }),
    enabled: projectId !== "",
    staleTime: 60_000,
  });
}

/** The caller's own entries of a week. */
export function useMyWeek(userId: string | undefined, week: Week) {
  return useQuery({
    queryKey: ["time-entries", { user_id: userId, date_from: week.from, date_to: week.to }],
    queryFn: ({ signal }) =>
      api<TimeEntryPage>("/time-entries", {
        query: { user_id: userId, date_from: week.from, date_to: week.to, limit: 500 },
        signal,
      }),
    enabled: Boolean(userId),
  });
}

/** Everyone's entries of a week that wait for approval (manager and up). */
export function useSubmittedWeek(week: Week) {
  return useQuery({
    queryKey: ["approvals", { date_from: week.from, date_to: week.to }],
    queryFn: ({ signal }) =>
      api<TimeEntryPage>("/time-entries", { query: { date_from: week.from, date_to: week.to, limit: 500 }, signal }),
    select: (page) => page.time_entries.filter((e) => e.status === "submitted"),
  });
}

/** People's names by user id, for the approvals list. */
export function useMemberNames() {
  return useQuery({
    ...membersQuery,
    select: (page) => new Map(page.members.map(({ user }) => [user.id, personName(user)])),
  });
}

/** An expense as the gateway answers it: money a decimal string in its own currency. */
export interface Expense {
  id: string;
  project_id: string;
  user_id: string;
  description: string;
  amount: string;
  currency: string;
  expense_date: string;
  category: ExpenseCategory;
  billable: boolean;
  invoice_id: string | null;
  created_at?: string | null;
  updated_at?: string | null;
}

export interface ExpensePage {
  expenses: Expense[];
  next_cursor: string | null;
}

/** A project's expenses, newest first: all of them for managers, a member's own otherwise (the
 * gateway decides). Under the "expenses" family `expense:` events make stale. */
export function useExpenses(projectId: string) {
  return useInfiniteQuery({
    queryKey: ["expenses", projectId],
    queryFn: ({ pageParam, signal }) =>
      api<ExpensePage>(`/projects/${projectId}/expenses`, { query: { limit: 100, cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled: projectId !== "",
  });
}
