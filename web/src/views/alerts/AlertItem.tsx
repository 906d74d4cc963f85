import { useMutation } from "@tanstack/react-query";
import { Link } from "react-router-dom";

import { api } from "../../api/client";
import { ConfirmButton } from "../../components/ConfirmButton";
import { Badge, ErrorNote } from "../../components/ui";
import { alertTypeLabel, SEVERITY_TONE, timeAgo } from "./labels";
import { markRead, useAlertCache, type AlertRecord } from "./queries";

function AlertLinks({ alert, canSeeInvoices }: { alert: AlertRecord; canSeeInvoices: boolean }) {
  if (!alert.project_id && !(alert.invoice_id && canSeeInvoices)) return null;
  return (
    <div className="row alert-links">
      {alert.project_id && <Link to={`/projects/${alert.project_id}`}>Open project</Link>}
      {alert.invoice_id && canSeeInvoices && <Link to={`/invoices/${alert.invoice_id}`}>Open invoice</Link>}
    </div>
  );
}

export function AlertItem({ alert, canSeeInvoices }: { alert: AlertRecord; canSeeInvoices: boolean }) {
  const cache = useAlertCache();
  const read = useMutation({
    mutationFn: () => markRead(alert.id),
    onSuccess: (updated) => {
      cache.replace(updated);
      void cache.refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => api<void>(`/alerts/${alert.id}`, { method: "DELETE" }),
    onSuccess: () => {
      cache.remove(alert.id);
      void cache.refresh();
    },
  });
  const unread = !alert.is_read;
  const messageId = `alert-${alert.id}-message`;
  const severity = alert.severity ?? "info";

  return (
    <li className={unread ? "alert-item alert-unread" : "alert-item"} aria-labelledby={messageId}>
      <div className="alert-body">
        <div className="alert-meta">
          {unread && <span className="alert-dot" role="img" aria-label="Unread" />}
          <Badge tone={SEVERITY_TONE[severity]}>{severity}</Badge>
          <span className="muted">{alertTypeLabel(alert.type)}</span>
          {alert.created_at && (
            <time className="muted" dateTime={alert.created_at} title={new Date(alert.created_at).toLocaleString()}>
              {timeAgo(alert.created_at)}
            </time>
          )}
        </div>
        <p className="alert-message" id={messageId}>{alert.message}</p>
        {alert.action_taken && <p className="muted alert-action">Done: {alert.action_taken}</p>}
        <AlertLinks alert={alert} canSeeInvoices={canSeeInvoices} />
        <ErrorNote error={read.error ?? remove.error} />
      </div>
      <div className="alert-actions">
        {unread && (
          <button type="button" onClick={() => read.mutate()} disabled={read.isPending} aria-describedby={messageId}>
            {read.isPending ? "Marking…" : "Mark read"}
          </button>
        )}
        <ConfirmButton
          label="Delete"
          confirmLabel="Yes, delete"
          question="Delete this alert?"
          busy={remove.isPending}
          busyLabel="Deleting…"
          describedBy={messageId}
          onConfirm={() => remove.mutate()}
        />
      </div>
    </li>
  );
}
