// Lists that several views pick from, each under one key so they share one fetch and one cache
// entry. The keys start with the families live/events.ts invalidates.

import { queryOptions } from "@tanstack/react-query";

import { api, apiTagged } from "./client";
import type { Client, Member, Project } from "./types";

export const projectOptionsQuery = queryOptions({
  queryKey: ["projects", "options"],
  queryFn: ({ signal }) => api<{ projects: Project[] }>("/projects", { query: { limit: 500 }, signal }),
  staleTime: 60_000,
});

export const clientsQuery = queryOptions({
  queryKey: ["clients", "options"],
  queryFn: ({ signal }) => api<{ clients: Client[] }>("/clients", { query: { limit: 500 }, signal }),
  staleTime: 60_000,
});

export const membersQuery = queryOptions({
  queryKey: ["members"],
  queryFn: ({ signal }) =>
    api<{ members: Member[]; next_cursor: string | null }>("/organizations/current/members", { query: { limit: 500 }, signal }),
  staleTime: 5 * 60_000,
});

/** One project with its ETag (sent back as If-Match by an edit). Every view that reads one project
 * shares this key and this fetch, so whichever of them filled the cache, the tag is there. */
export const projectQuery = (projectId: string) =>
  queryOptions({
    queryKey: ["project", projectId],
    queryFn: ({ signal }) => apiTagged<Project>(`/projects/${projectId}`, { signal }),
  });
