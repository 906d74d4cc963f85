// Activity: the organization's feed, newest first, filtered by project and entity type (in the
// URL: ?project=, ?type=), a page at a time; events arriving on the socket appear at the top.

import { useSearchParams } from "react-router-dom";

import { Card, Empty, ErrorNote, Field, Loading, Page } from "../../components/ui";
import "./activity.css";
import { ActivityList } from "./ActivityList";
import { AUTOMATIC_ACTIONS, ENTITY_TYPES } from "./labels";
import { useActivityFeed, useLiveFeed, useProjectList, type ActivityFilters } from "./queries";

function useFilters(): [ActivityFilters & { automatic: boolean }, (change: Partial<Record<"project" | "type" | "automatic", string>>) => void] {
  const [params, setParams] = useSearchParams();
  const filters = {
    projectId: params.get("project") ?? "",
    entityType: params.get("type") ?? "",
    automatic: params.get("automatic") === "1",
  };
  const set = (change: Partial<Record<"project" | "type" | "automatic", string>>) =>
    setParams(
      (p) => {
        for (const [key, value] of Object.entries(change)) {
          if (value) p.set(key, value);
          else p.delete(key);
        }
        return p;
      },
      { replace: true },
    );
  return [filters, set];
}

export default function Activity() {
  const [filters, setFilters] = useFilters();
  const projects = useProjectList();
  const feed = useActivityFeed(filters);
  const all = feed.data?.pages.flatMap((p) => p.activities);
  const arrived = useLiveFeed(filters, feed.data?.pages[0]?.activities, feed.refetch);
  const shown = (all ?? []).filter((a) => filters.automatic || !AUTOMATIC_ACTIONS.has(a.action));
  const filtered = Boolean(filters.projectId || filters.entityType);

  return (
    <Page title="Activity">
      <Card className="activity-card">
        <div className="activity-filters" role="group" aria-label="Filters">
          <Field label="Project">
            <select value={filters.projectId} onChange={(e) => setFilters({ project: e.target.value })}>
              <option value="">All projects</option>
              {(projects.data ?? []).map((p) => (
                <option key={p.id} value={p.id}>{p.name}</option>
              ))}
            </select>
          </Field>
          <Field label="Type">
            <select value={filters.entityType} onChange={(e) => setFilters({ type: e.target.value })}>
              <option value="">Everything</option>
              {ENTITY_TYPES.map(([type, label]) => (
                <option key={type} value={type}>{label}</option>
              ))}
            </select>
          </Field>
          <label className="activity-check">
            <input
              type="checkbox"
              checked={filters.automatic}
              onChange={(e) => setFilters({ automatic: e.target.checked ? "1" : "" })}
            />
            Margin and forecast updates
          </label>
        </div>
        <p className="sr-only" role="status" aria-live="polite">
          {arrived.size > 0 ? `${arrived.size} new ${arrived.size === 1 ? "event" : "events"} since this page opened` : ""}
        </p>
        {feed.isPending ? (
          <Loading label="Loading activity" />
        ) : feed.isError ? (
          <ErrorNote error={feed.error} />
        ) : shown.length === 0 && !feed.hasNextPage ? (
          <Empty>{filtered ? "Nothing matches these filters yet." : "Nothing has happened yet: changes to projects, tasks, time and invoices appear here as they happen."}</Empty>
        ) : (
          <ActivityList activities={shown} arrived={arrived} />
        )}
        {feed.hasNextPage && (
          <button type="button" className="activity-more" onClick={() => void feed.fetchNextPage()} disabled={feed.isFetchingNextPage}>
            {feed.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        )}
      </Card>
    </Page>
  );
}
