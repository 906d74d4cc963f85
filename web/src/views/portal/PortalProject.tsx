import { Link, useParams } from "react-router-dom";

import { ApiError } from "../../api/client";
import { shortDate } from "../../api/format";
import { Badge, Card, Empty, ErrorNote, Loading, Page } from "../../components/ui";
import { projectStatus, TASK_GROUPS } from "./labels";
import { usePortalProject, usePortalTasks } from "./queries";
import type { PortalTask } from "./whitelist";

export default function PortalProject() {
  const { projectId = "" } = useParams();
  const project = usePortalProject(projectId);
  const back = <Link to="/portal" className="btn">All projects</Link>;

  if (project.isPending) return <Loading label="Loading project" />;
  if (project.isError) {
    const missing = project.error instanceof ApiError && project.error.status === 404;
    return (
      <Page title={missing ? "Project not found" : "Project"} actions={back}>
        {missing ? <Empty>This project is not shared with you.</Empty> : <ErrorNote error={project.error} />}
      </Page>
    );
  }
  const p = project.data;
  const status = projectStatus(p.status);
  return (
    <Page title={p.name} actions={back}>
      <p className="row">
        <Badge tone={status.tone}>{status.label}</Badge>
        <span className="muted">
          {shortDate(p.start_date)} – {shortDate(p.end_date)}
        </span>
      </p>
      <Progress projectId={p.id} />
    </Page>
  );
}

function Progress({ projectId }: { projectId: string }) {
  const tasks = usePortalTasks(projectId);
  if (tasks.isPending) return <Loading label="Loading progress" />;
  if (tasks.isError) return <ErrorNote error={tasks.error} />;
  if (tasks.data.length === 0) return <Card title="Progress"><Empty>No tasks planned yet.</Empty></Card>;

  // Cancelled work is listed but is not part of what remains to be done.
  const counted = tasks.data.filter((t) => t.status !== "cancelled");
  const done = counted.filter((t) => t.status === "done").length;
  const share = counted.length ? Math.round((done / counted.length) * 100) : 0;
  return (
    <>
      <Card title="Progress">
        <div className="bars">
          <div className="bar-row">
            <span>{done} of {counted.length} tasks done</span>
            <strong>{share} %</strong>
            <div
              className="bar-track"
              role="progressbar"
              aria-label="Tasks done"
              aria-valuemin={0}
              aria-valuemax={counted.length}
              aria-valuenow={done}
              aria-valuetext={`${done} of ${counted.length} tasks done`}
            >
              <div className="bar-fill tone-good" style={{ width: `${share}%` }} />
            </div>
          </div>
        </div>
      </Card>
      <div className="grid grid-3">
        {TASK_GROUPS.map(([status, label]) => (
          <TaskGroup key={status} label={label} tasks={tasks.data.filter((t) => t.status === status)} />
        ))}
      </div>
    </>
  );
}

function TaskGroup({ label, tasks }: { label: string; tasks: PortalTask[] }) {
  if (tasks.length === 0) return null;
  return (
    <Card title={`${label} (${tasks.length})`}>
      <ul className="portal-tasks">
        {tasks.map((t) => (
          <li key={t.id} className={t.status === "done" ? "portal-done" : undefined}>
            <span>
              {t.status === "done" && <span aria-hidden="true" className="portal-tick">✓ </span>}
              {t.title}
            </span>
            {t.due_date && t.status !== "done" && <span className="muted">Due {shortDate(t.due_date)}</span>}
          </li>
        ))}
      </ul>
    </Card>
  );
}
