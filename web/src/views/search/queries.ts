// The search box's read: GET /search, once the typing pauses.

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { api } from "../../api/client";

export interface SearchResult {
  type: string;
  id: string;
  title: string;
  project_id: string;
  snippet: string;
  /** The task found, or the one a comment is on (null for a project). */
  task_id?: string | null;
}

export const MIN_QUERY = 2;
const PAUSE_MS = 250;
const LIMIT = 20;

/** `value`, once it has stayed the same for `ms`. */
export function useDebounced<T>(value: T, ms = PAUSE_MS): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function useSearch(q: string) {
  return useQuery({
    queryKey: ["search", q],
    queryFn: ({ signal }) => api<{ results: SearchResult[] }>("/search", { query: { q, limit: LIMIT }, signal }),
    enabled: q.length >= MIN_QUERY,
    staleTime: 30_000,
    // The last answer stays on screen while the next one is asked for: no flicker per keystroke.
    placeholderData: keepPreviousData,
    select: (page) => page.results,
  });
}

/** Where a result leads: a project's page, or the task on its project's board (a comment's
 * result names its task by title only, so the board). */
export function resultPath(r: SearchResult): string {
  if (r.type === "project") return `/projects/${r.id}`;
  if (r.type === "task") return `/projects/${r.project_id}/board?task=${r.id}`;
  // A comment opens the task it is on, where the comments are.
  return r.task_id ? `/projects/${r.project_id}/board?task=${r.task_id}` : `/projects/${r.project_id}/board`;
}
