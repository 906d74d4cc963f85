import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, Navigate, NavLink, Route, Routes, useParams } from "react-router-dom";

import { apiTagged, ApiError, isStale, type Tagged } from "../../api/client";
import { projectQuery } from "../../api/queries";
import { atLeast, useSession } from "../../api/session";
import type { Project, ProjectStatus } from "../../api/types";
import { StaleNote } from "../../components/StaleNote";
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
  const project = useQuery(projectQuery(projectId));

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

/** The project's status, changed only if nobody else changed the project since it was read: the
 * PATCH sends the ETag the project came with (If-Match), and a 412 says so, with a reload. */
function StatusControl({ project }: { project: Tagged<Project> }) {
  const queryClient = useQueryClient();
  const [reloading, setReloading] = useState(false);
  const change = useMutation({
    mutationFn: (status: ProjectStatus) =>
      apiTagged<Project>(`/projects/${project.id}`, { method: "PATCH", body: { status }, ifMatch: project.etag }),
    onSuccess: (saved) => {
      // The PATCH answer has no margin or team: keep those from what is on screen; its ETag is
      // the one the next change sends.
      queryClient.setQueryData<Tagged<Project>>(["project", project.id], (old) => (old ? { ...old, ...saved } : saved));
      void queryClient.invalidateQueries({ queryKey: ["project", project.id] });
      void queryClient.invalidateQueries({ queryKey: ["projects"] });
    },
  });
  const stale = isStale(change.error);
  async function reload() {
    setReloading(true);
    try {
      await queryClient.refetchQueries({ queryKey: projectQuery(project.id).queryKey, exact: true });
      void queryClient.invalidateQueries({ queryKey: ["projects"] });
      change.reset();
    } finally {
      setReloading(false);
    }
  }
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
      {stale ? (
        <StaleNote
          message="Someone changed this project meanwhile — reload to see their changes."
          onReload={() => void reload()}
          busy={reloading}
        />
      ) : (
        <ErrorNote error={change.error} />
      )}
    </div>
  );
}
