// The names an invoice screen shows next to ids: the organization's clients and projects,
// fetched once per screen and shared through the query cache.

import { useQuery } from "@tanstack/react-query";

import { api } from "../../api/client";
import type { Client, Project } from "../../api/types";

const PROJECTS_QUERY = { limit: 500 } as const;

export function useClients() {
  return useQuery({
    queryKey: ["clients", { limit: 500 }],
    queryFn: () => api<{ clients: Client[] }>("/clients", { query: { limit: 500 } }),
    select: (page) => page.clients,
    staleTime: 60_000,
  });
}

export function useProjects() {
  return useQuery({
    queryKey: ["projects", PROJECTS_QUERY],
    queryFn: () => api<{ projects: Project[] }>("/projects", { query: PROJECTS_QUERY }),
    select: (page) => page.projects,
    staleTime: 60_000,
  });
}

export function nameById<T extends { id: string; name: string }>(rows: T[] | undefined): Map<string, string> {
  return new Map((rows ?? []).map((r) => [r.id, r.name]));
}
