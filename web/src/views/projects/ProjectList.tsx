import { useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { Link } from "react-router-dom";

import { api } from "../../api/client";
import { marginTone, money, percent } from "../../api/format";
import { atLeast, useSession } from "../../api/session";
import type { Project, ProjectStatus } from "../../api/types";
import { Badge, Empty, ErrorNote, Field, Loading, Page } from "../../components/ui";
import { Meter } from "./Meter";
import { NewProjectForm } from "./NewProjectForm";
import {
  budgetTone,
  budgetTypeLabel,
  PROJECT_STATUS_LABEL,
  PROJECT_STATUS_TONE,
  PROJECT_STATUSES,
} from "./labels";
import "./projects.css";

interface ProjectPage {
  projects: Project[];
  next_cursor: string | null;
}

/** `value`, once it has stopped changing for `ms` (so typing a search sends one request). */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export default function ProjectList() {
  const { me } = useSession();
  const canCreate = atLeast(me?.role, "manager");
  const [creating, setCreating] = useState(false);
  const [status, setStatus] = useState<ProjectStatus | "">("");
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), 300);
  const formId = useId();

  const filters = { status, q };
  const projects = useInfiniteQuery({
    queryKey: ["projects", filters],
    queryFn: ({ pageParam, signal }) =>
      api<ProjectPage>("/projects", { query: { ...filters, limit: 100, cursor: pageParam }, signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
  const list = projects.data?.pages.flatMap((p) => p.projects) ?? [];
  const filtered = status !== "" || q !== "";

  return (
    <Page
      title="Projects"
      actions={
        canCreate && (
          <button
            type="button"
            className={creating ? "" : "primary"}
            aria-expanded={creating}
            aria-controls={formId}
            onClick={() => setCreating(!creating)}
          >
            {creating ? "Close form" : "New project"}
          </button>
        )
      }
    >
      {canCreate && creating && (
        <div id={formId}>
          <NewProjectForm
            defaultCurrency={me?.organization.currency ?? "USD"}
            onCancel={() => setCreating(false)}
          />
        </div>
      )}

      <div role="search" className="project-filters" aria-label="Filter projects">
        <Field label="Search">
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name or client" />
        </Field>
        <Field label="Status">
          <select value={status} onChange={(e) => setStatus(e.target.value as ProjectStatus | "")}>
            <option value="">All statuses</option>
            {PROJECT_STATUSES.map((s) => (
              <option key={s} value={s}>{PROJECT_STATUS_LABEL[s]}</option>
            ))}
          </select>
        </Field>
      </div>

      {projects.isPending ? (
        <Loading label="Loading projects" />
      ) : projects.isError ? (
        <ErrorNote error={projects.error} />
      ) : list.length === 0 ? (
        <Empty>
          {filtered
            ? "No projects match these filters."
            : canCreate
              ? "No projects yet. Start one with “New project”."
              : "No projects yet."}
        </Empty>
      ) : (
        <>
          <ul className="project-cards" aria-label="Projects" aria-busy={projects.isFetching}>
            {list.map((p) => (
              <ProjectCard key={p.id} project={p} />
            ))}
          </ul>
          {projects.hasNextPage && (
            <button type="button" onClick={() => projects.fetchNextPage()} disabled={projects.isFetchingNextPage}>
              {projects.isFetchingNextPage ? "Loading…" : "Show more projects"}
            </button>
          )}
        </>
      )}
    </Page>
  );
}

function ProjectCard({ project }: { project: Project }) {
  const { margin } = project;
  return (
    <li className="card project-card" aria-labelledby={`project-${project.id}`}>
      <div className="project-card-head">
        <h2 id={`project-${project.id}`}>
          <Link to={`/projects/${project.id}`}>{project.name}</Link>
        </h2>
        <Badge tone={PROJECT_STATUS_TONE[project.status]}>{PROJECT_STATUS_LABEL[project.status]}</Badge>
      </div>
      <p className="muted project-client">{project.client_name ?? "No client"}</p>
      <dl className="figures">
        {margin !== undefined && (
          <div>
            <dt>Margin</dt>
            {margin ? (
              <dd className={`figure tone-${marginTone(margin.margin_percent)} text`}>{percent(margin.margin_percent)}</dd>
            ) : (
              <dd className="figure muted">Pending</dd>
            )}
          </div>
        )}
        <div>
          <dt>Budget</dt>
          <dd className="figure">{money(project.budget_total, project.budget_currency)}</dd>
          <dd className="muted">{budgetTypeLabel(project.budget_type)}</dd>
        </div>
      </dl>
      {margin && margin.budget_used_percent !== null && (
        <Meter
          label="Budget used"
          value={Number(margin.budget_used_percent)}
          text={percent(margin.budget_used_percent)}
          tone={budgetTone(margin.budget_used_percent)}
        />
      )}
    </li>
  );
}
