import { useEffect, useState } from "react";
import { Link } from "react-router-dom";

import { atLeast, useSession } from "../../api/session";
import { Badge } from "../../components/ui";
import { timeAgo } from "../alerts/labels";
import { describe, type Names, type Part } from "./describe";
import { usePeople, useProjectList, type ActivityRecord } from "./queries";

const MINUTE_MS = 60_000;

/** The time now, again every minute, so "just now" becomes "2 minutes ago" on an open page. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), MINUTE_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** The names the sentences use: people from the members list, projects from the project list. */
export function useNames(): Names {
  const { me } = useSession();
  const people = usePeople();
  const projects = useProjectList();
  const projectNames = new Map((projects.data ?? []).map((p) => [p.id, p.name]));
  return {
    person: (id) => (id ? people.data?.get(id) : undefined),
    project: (id) => (id ? projectNames.get(id) : undefined),
    canSeeInvoices: atLeast(me?.role, "manager"),
  };
}

function Words({ parts }: { parts: Part[] }) {
  return (
    <>
      {parts.map((part, i) =>
        typeof part === "string" ? (
          part
        ) : part.to ? (
          <Link key={i} to={part.to}>{part.text}</Link>
        ) : (
          <strong key={i}>{part.text}</strong>
        ),
      )}
    </>
  );
}

/** The feed's entries as sentences, newest first; `arrived` ones (live) are marked new. */
export function ActivityList({ activities, arrived, compact = false, label = "Activity" }: {
  activities: ActivityRecord[];
  arrived?: Set<string>;
  compact?: boolean;
  label?: string;
}) {
  const names = useNames();
  const now = useNow();
  return (
    <ol className={compact ? "activity-list compact" : "activity-list"} aria-label={label}>
      {activities.map((a) => {
        const sentence = describe(a, names);
        const actor = names.person(a.user_id);
        const fresh = arrived?.has(a.id) ?? false;
        return (
          <li key={a.id} className={fresh ? "activity-item activity-new" : "activity-item"}>
            {!compact && (
              <span className={a.user_id ? "activity-avatar" : "activity-avatar system"} aria-hidden="true">
                {actor ? actor.slice(0, 1).toUpperCase() : "✦"}
              </span>
            )}
            <div className="activity-body">
              <p className="activity-sentence"><Words parts={sentence.parts} /></p>
              {sentence.quote && <blockquote className="activity-quote">{sentence.quote}</blockquote>}
              <p className="activity-meta">
                {!sentence.byActor && actor && <span>by {actor}</span>}
                {a.created_at && (
                  <time dateTime={a.created_at} title={new Date(a.created_at).toLocaleString()}>
                    {timeAgo(a.created_at, now)}
                  </time>
                )}
                {fresh && <Badge tone="info">New</Badge>}
              </p>
            </div>
          </li>
        );
      })}
    </ol>
  );
}
