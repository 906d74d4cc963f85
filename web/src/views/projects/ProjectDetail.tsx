import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, Navigate, NavLink, Route, Routes, useParams } from "react-router-dom";

import { api, ApiError } from "../../api/client";
import { atLeast, useSession } from "../../api/session";
import type { Project, ProjectStatus } from "../../api/types";
import { Badge, Empty, ErrorNote, Loading, Page } from "../../components/ui";
import { RecentActivity } from "../activity/RecentActivity";
import { Board } from "./Board";
import { Files } from "./Files";
import { Overview } from "./Overview";
import { Sprints } from "./Sprints";
import { budgetTypeLabel, PROJECT_STATUS_LABEL, PROJECT_STATUS_TONE, PROJECT_STATUSES } from "./labels";
import "./projects.css";

const TABS = [
  { path: "", label: "Overview" },
  { path: "board", label: "Board" },
  { path: "sprints", label: "Sprints" },
  { path: "files", label: "Files" },
] as const;

export default function ProjectDetail() {
  const { projectId = "" } = useParams();
  const { me } = useSession();
  const role = me?.role;
  const project = useQuery({
    queryKey: ["project", projectId],
    queryFn: ({ signal }) => api<Project>(`/projects/${projectId}`, { signal }),
  });

  if (project.isPending) return <Loading label="Loading project" />;
  if (project.isError) {
    const missing = project.error instanceof ApiError && project.error.status === 404;
    return (
      <Page title={missing ? "Project not found" : "Project"}>
        {missing ? (
          <Empty>This project does not exist or is not shared with you.</Empty>
        ) : (
          <ErrorNote error={project.error} />
        )}
        <p><Link to="/projects">Back to projects</Link></p>
      </Page>
    );
  }

  const p = project.data;
  const base = `/projects/${p.id}`;
  return (
    <Page title={p.name} actions={atLeast(role, "manager") && <StatusControl project={p} />}>
      <p className="project-meta">
        <Link to="/projects">Projects</Link>
        <span aria-hidden="true">·</span>
        <span>{p.client_name ?? "No client"}</span>
        <span aria-hidden="true">·</span>
        <Badge tone={PROJECT_STATUS_TONE[p.status]}>{PROJECT_STATUS_LABEL[p.status]}</Badge>
        <span className="muted">{budgetTypeLabel(p.budget_type)}</span>
      </p>
      <nav aria-label="Project sections" className="tabs">
        {TABS.map((t) => (
          <NavLink key={t.label} to={t.path ? `${base}/${t.path}` : base} end className="tab">
            {t.label}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<><Overview project={p} /><RecentActivity projectId={p.id} /></>} />
        <Route path="board" element={<Board projectId={p.id} canWrite={atLeast(role, "member")} />} />
        <Route path="sprints" element={<Sprints projectId={p.id} canManage={atLeast(role, "manager")} />} />
        <Route path="files" element={<Files projectId={p.id} canUpload={atLeast(role, "member")} />} />
        <Route path="*" element={<Navigate to={base} replace />} />
      </Routes>
    </Page>
  );
}

function StatusControl({ project }: { project: Project }) {
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: (status: ProjectStatus) =>
      api<Project>(`/projects/${project.id}`, { method: "PATCH", body: { status } }),
    onSuccess: (saved) => {
      // The PATCH answer has no margin or team: keep those from what is on screen.
      queryClient.setQueryData<Project>(["project", project.id], (old) => (old ? { ...old, ...saved } : saved));
      void queryClient.invalidateQueries({ queryKey: ["project", project.id] });
      void queryClient.invalidateQueries({ queryKey: ["projects"] });
    },
  });
  return (
    <div className="status-control">
      <label className="field">
        <span className="field-label">Project status</span>
        <select
          value={change.isPending ? change.variables : project.status}
          disabled={change.isPending}
          onChange={(e) => change.mutate(e.target.value as ProjectStatus)}
        >
          {PROJECT_STATUSES.map((s) => (
            <option key={s} value={s}>{PROJECT_STATUS_LABEL[s]}</option>
          ))}
        </select>
      </label>
      <ErrorNote error={change.error} />
    </div>
  );
}
