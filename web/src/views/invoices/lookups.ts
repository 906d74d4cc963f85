// The names an invoice screen shows next to ids: the organization's clients and projects,
// fetched once and shared through the query cache with the other views that list them.

import { useQuery } from "@tanstack/react-query";

import { clientsQuery, projectOptionsQuery } from "../../api/queries";

export function useClients() {
  return useQuery({ ...clientsQuery, select: (page) => page.clients });
}

export function useProjects() {
  return useQuery({ ...projectOptionsQuery, select: (page) => page.projects });
}

export function nameById<T extends { id: string; name: string }>(rows: T[] | undefined): Map<string, string> {
  return new Map((rows ?? []).map((r) => [r.id, r.name]));
}
