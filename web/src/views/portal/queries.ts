// The portal's reads, each whitelisted as it arrives (see whitelist.ts).

import { useQuery } from "@tanstack/react-query";

import { api } from "../../api/client";
import { portalInvoice, portalProject, portalTask, type PortalInvoice, type PortalProject, type PortalTask } from "./whitelist";

type Raw = Record<string, unknown>;

export function usePortalProjects() {
  return useQuery({
    queryKey: ["portal", "projects"],
    queryFn: async (): Promise<PortalProject[]> => {
      const page = await api<{ projects: Raw[] }>("/projects", { query: { limit: 500 } });
      return page.projects.map(portalProject);
    },
  });
}

export function usePortalProject(projectId: string) {
  return useQuery({
    queryKey: ["portal", "project", projectId],
    queryFn: async (): Promise<PortalProject> => portalProject(await api<Raw>(`/projects/${projectId}`)),
  });
}

export function usePortalTasks(projectId: string) {
  return useQuery({
    // "tasks" first so live task events refresh it; "portal" apart from the staff board's shape.
    queryKey: ["tasks", projectId, "portal"],
    queryFn: async (): Promise<PortalTask[]> => {
      const page = await api<{ tasks: Raw[] }>(`/projects/${projectId}/tasks`, { query: { limit: 500 } });
      return page.tasks.map(portalTask);
    },
  });
}

export function usePortalInvoices() {
  return useQuery({
    queryKey: ["portal", "invoices"],
    queryFn: async (): Promise<PortalInvoice[]> => {
      const page = await api<{ invoices: Raw[] }>("/invoices", { query: { limit: 500 } });
      // The gateway lists only issued invoices to a client; a draft is never shown all the same.
      return page.invoices.map(portalInvoice).filter((i) => i.status !== "draft");
    },
  });
}
