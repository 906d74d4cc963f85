// A project's latest activity, compact, for its detail page; the whole feed is one link away.

import { Link } from "react-router-dom";

import { Card, Empty, ErrorNote, Loading } from "../../components/ui";
import "./activity.css";
import { ActivityList } from "./ActivityList";
import { AUTOMATIC_ACTIONS } from "./labels";
import { useActivityFeed, useLiveFeed } from "./queries";

// A page large enough that, margin and forecast updates left out, a few entries remain.
const PAGE_SIZE = 20;
const SHOWN = 6;

export function RecentActivity({ projectId }: { projectId: string }) {
  const filters = { projectId, entityType: "" };
  const feed = useActivityFeed(filters, PAGE_SIZE);
  const first = feed.data?.pages[0]?.activities;
  const arrived = useLiveFeed(filters, first, feed.refetch);
  const shown = (first ?? []).filter((a) => !AUTOMATIC_ACTIONS.has(a.action)).slice(0, SHOWN);

  return (
    <Card
      title="Recent activity"
      className="recent-activity"
      actions={<Link className="activity-all" to={`/activity?project=${projectId}`}>All activity</Link>}
    >
      {feed.isPending ? (
        <Loading label="Loading activity" />
      ) : feed.isError ? (
        <ErrorNote error={feed.error} />
      ) : shown.length === 0 ? (
        <Empty>Nothing has happened on this project yet.</Empty>
      ) : (
        <ActivityList activities={shown} arrived={arrived} compact label="Recent activity" />
      )}
    </Card>
  );
}
