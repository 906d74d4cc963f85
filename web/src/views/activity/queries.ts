// The activity feed's reads, under the "activity" family every change makes stale
// (live/events.ts), and the names its sentences need (shared lists of api/queries.ts).

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { api } from "../../api/client";
import { personName } from "../../api/format";
import { membersQuery, projectOptionsQuery } from "../../api/queries";
import type { LiveEvent } from "../../api/types";
import { feedsActivity } from "../../live/events";
import { useLiveEvents } from "../../live/LiveProvider";

/** One entry of GET /activity: `action` is the event's type (`task.updated`, `entry.created`),
 * `metadata` its payload as this reader may see it. */
export interface ActivityRecord {
  id: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  project_id: string | null;
  user_id: string | null;
  source?: string;
  metadata: Record<string, unknown>;
  created_at: string | null;
}

export interface ActivityPage {
  activities: ActivityRecord[];
  next_cursor: string | null;
}

export interface ActivityFilters {
  projectId: string;
  entityType: string;
}

/** The feed, newest first, a page at a time ("Load more" follows the cursor). */
export function useActivityFeed(filters: ActivityFilters, pageSize = 50) {
  return useInfiniteQuery({
    queryKey: ["activity", { project_id: filters.projectId, entity_type: filters.entityType, limit: pageSize }],
    queryFn: ({ pageParam, signal }) =>
      api<ActivityPage>("/activity", {
        query: {
          project_id: filters.projectId || undefined,
          entity_type: filters.entityType || undefined,
          limit: pageSize,
          cursor: pageParam,
        },
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

// The feed is written by a consumer of the same events the socket relays, so an event can reach
// the browser a moment before its entry can be read: ask again, a few times, until it is there.
const RECHECK_MS = [400, 800, 1600, 3200, 6400];

/** The entity type an event's feed entry will have: `time:entry:created` → `entry`. */
function entityTypeOf(type: string): string {
  return type.startsWith("time:entry:") ? "entry" : type.split(":")[0];
}

/**
 * Keeps the feed's first page in step with the socket: each event the feed records (and these
 * filters would show) is awaited until a refetched page holds its id. Answers the ids that
 * arrived live and are shown, for the list to mark them as new.
 */
export function useLiveFeed(
  filters: ActivityFilters,
  shown: ActivityRecord[] | undefined,
  refetch: () => unknown,
): Set<string> {
  const [live, setLive] = useState<string[]>([]);
  const [givenUp, setGivenUp] = useState<ReadonlySet<string>>(() => new Set());
  const [attempt, setAttempt] = useState(0);

  useLiveEvents((event: LiveEvent) => {
    if (!event.id || !feedsActivity(event)) return;
    if (filters.projectId && event.data?.project_id !== filters.projectId) return;
    if (filters.entityType && entityTypeOf(event.type) !== filters.entityType) return;
    const id = event.id;
    setLive((ids) => (ids.includes(id) ? ids : [...ids, id]));
    setAttempt(0);
  });

  const present = new Set(shown?.map((a) => a.id));
  const pending = live.filter((id) => !present.has(id) && !givenUp.has(id));
  const pendingKey = pending.join(",");
  useEffect(() => {
    if (!pendingKey) return;
    const timer = setTimeout(() => {
      if (attempt < RECHECK_MS.length) {
        void refetch();
        setAttempt((a) => a + 1);
      } else {
        // Never recorded for this reader (the feed and the socket may each hide what the
        // other shows): stop asking.
        setGivenUp((g) => new Set([...g, ...pendingKey.split(",")]));
      }
    }, RECHECK_MS[Math.min(attempt, RECHECK_MS.length - 1)]);
    return () => clearTimeout(timer);
  }, [pendingKey, attempt, refetch]);

  return new Set(live.filter((id) => present.has(id)));
}

/** People's names by user id, for "Ana logged 2 h". */
export function usePeople() {
  return useQuery({
    ...membersQuery,
    select: (page) => new Map(page.members.map(({ user }) => [user.id, personName(user)])),
  });
}

/** Every project of the organization (the feed names archived ones too), by id. */
export function useProjectList() {
  return useQuery({ ...projectOptionsQuery, select: (page) => page.projects });
}
