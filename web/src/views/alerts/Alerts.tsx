import { useMutation } from "@tanstack/react-query";
import { useState } from "react";

import { atLeast, useSession } from "../../api/session";
import { Card, Empty, ErrorNote, Field, Loading, Page } from "../../components/ui";
import { AlertItem } from "./AlertItem";
import "./alerts.css";
import { SEVERITIES, type Severity } from "./labels";
import { markRead, useAlertCache, useAlertList, type AlertFilters, type AlertRecord } from "./queries";
import { Subscriptions } from "./Subscriptions";

function Filters({ value, onChange }: { value: AlertFilters; onChange: (f: AlertFilters) => void }) {
  return (
    <div className="alerts-filters" role="group" aria-label="Filters">
      <label className="alerts-check">
        <input
          type="checkbox"
          checked={value.unreadOnly}
          onChange={(e) => onChange({ ...value, unreadOnly: e.target.checked })}
        />
        Unread only
      </label>
      <Field label="Severity">
        <select value={value.severity} onChange={(e) => onChange({ ...value, severity: e.target.value as Severity | "" })}>
          <option value="">All severities</option>
          {SEVERITIES.map((s) => <option key={s} value={s}>{s[0].toUpperCase() + s.slice(1)}</option>)}
        </select>
      </Field>
    </div>
  );
}

function useMarkAllRead() {
  const cache = useAlertCache();
  return useMutation({
    mutationFn: (alerts: AlertRecord[]) => Promise.all(alerts.map((a) => markRead(a.id))),
    onSuccess: (updated) => updated.forEach(cache.replace),
    onSettled: () => cache.refresh(), // some may have gone through even if one failed
  });
}

export default function Alerts() {
  const { me } = useSession();
  const [filters, setFilters] = useState<AlertFilters>({ unreadOnly: false, severity: "" });
  const list = useAlertList(filters);
  const markAll = useMarkAllRead();

  const alerts = list.data?.pages.flatMap((p) => p.alerts) ?? [];
  const unreadShown = alerts.filter((a) => !a.is_read);
  const unreadCount = list.data?.pages[0]?.unread_count ?? 0;
  const filtered = filters.unreadOnly || filters.severity !== "";

  return (
    <Page
      title="Alerts"
      actions={
        <button
          type="button"
          onClick={() => markAll.mutate(unreadShown)}
          disabled={unreadShown.length === 0 || markAll.isPending}
        >
          {markAll.isPending ? "Marking…" : "Mark all read"}
        </button>
      }
    >
      <div className="grid alerts-layout">
        <Card
          title="Inbox"
          actions={list.data && <span className="muted" aria-live="polite">{unreadCount} unread</span>}
        >
          <Filters value={filters} onChange={setFilters} />
          <ErrorNote error={markAll.error} />
          {list.isPending && <Loading label="Loading alerts" />}
          <ErrorNote error={list.error} />
          {list.data && alerts.length === 0 && (
            <Empty>{filtered ? "No alerts match these filters." : "No alerts. You will see margin, budget, risk, capacity and invoice warnings here."}</Empty>
          )}
          {alerts.length > 0 && (
            <ul className="alert-list" aria-label="Alerts">
              {alerts.map((a) => <AlertItem key={a.id} alert={a} canSeeInvoices={atLeast(me?.role, "manager")} />)}
            </ul>
          )}
          {list.hasNextPage && (
            <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
              {list.isFetchingNextPage ? "Loading…" : "Load more alerts"}
            </button>
          )}
        </Card>
        {atLeast(me?.role, "manager") && <Subscriptions />}
      </div>
    </Page>
  );
}
