import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";

import { api, idempotencyKey } from "../../api/client";
import { ConfirmButton } from "../../components/ConfirmButton";
import { Badge, Card, Empty, ErrorNote, Loading } from "../../components/ui";
import { timeAgo } from "../alerts/labels";
import { connectProblem, useStartOAuth } from "./oauth";
import {
  platformInfo,
  STATUS_TONE,
  statusWord,
  type ConnectionRecord,
  type SyncLogRecord,
  type SyncStatus,
} from "./platforms";

function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "—";
}

/** Polls the latest sync every 2 s while it runs; tells the lists once it is over. */
function useSyncStatus(connection: ConnectionRecord) {
  const client = useQueryClient();
  const [watching, setWatching] = useState(connection.last_sync_status === "in_progress");
  useEffect(() => {
    if (connection.last_sync_status === "in_progress") setWatching(true); // started elsewhere
  }, [connection.last_sync_status]);
  const key = ["integrations", connection.id, "sync-status"];
  const status = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => api<SyncStatus>(`/integrations/${connection.id}/sync-status`, { signal }),
    enabled: watching,
    refetchInterval: (q) => (q.state.data?.status === "in_progress" ? 2000 : false),
  });
  const previous = useRef(status.data?.status);
  useEffect(() => {
    const now = status.data?.status;
    if (previous.current === "in_progress" && now !== "in_progress") {
      void client.invalidateQueries({ queryKey: ["integrations"], exact: true });
      void client.invalidateQueries({ queryKey: ["sync-logs", connection.id] });
    }
    previous.current = now;
  }, [status.data?.status, client, connection.id]);

  const start = useMutation({
    mutationFn: () =>
      api<{ job_id: string }>(`/integrations/${connection.id}/sync`, { method: "POST", idempotencyKey: idempotencyKey() }),
    onSuccess: () => {
      setWatching(true);
      void client.invalidateQueries({ queryKey: key });
    },
  });
  return { status, start, watching };
}

function SyncProgress({ status }: { status: SyncStatus }) {
  const running = status.status === "in_progress";
  return (
    <div className={`integ-sync tone-${STATUS_TONE[status.status ?? ""] ?? "none"}`} role="status" aria-live="polite">
      {running ? (
        <span><span className="spinner" aria-hidden="true" /> Syncing… {status.records_synced} records so far</span>
      ) : (
        <span>
          Sync {statusWord(status.status)}: {status.records_synced} records synced
          {status.next_sync_in_minutes > 0 && <> · next automatic sync in {status.next_sync_in_minutes} min</>}
        </span>
      )}
      {status.errors.length > 0 && (
        <ul className="integ-errors" aria-label="Sync errors">
          {status.errors.map((e, i) => <li key={i}>{e}</li>)}
        </ul>
      )}
    </div>
  );
}

function SyncLogs({ connectionId }: { connectionId: string }) {
  const logs = useQuery({
    queryKey: ["sync-logs", connectionId],
    queryFn: ({ signal }) => api<{ sync_logs: SyncLogRecord[] }>(`/integrations/${connectionId}/sync-logs`, { query: { limit: 20 }, signal }),
    select: (d) => d.sync_logs,
  });
  if (logs.isPending) return <Loading label="Loading sync logs" />;
  if (logs.error) return <ErrorNote error={logs.error} />;
  if (logs.data.length === 0) return <Empty>No syncs yet.</Empty>;
  return (
    <table className="table integ-logs">
      <thead>
        <tr>
          <th scope="col">Started</th>
          <th scope="col">Status</th>
          <th scope="col" className="num">Records</th>
          <th scope="col">Finished</th>
          <th scope="col">Error</th>
        </tr>
      </thead>
      <tbody>
        {logs.data.map((l) => (
          <tr key={l.id}>
            <td className="lead" data-label="Started">{when(l.started_at)}{l.trigger ? <span className="muted"> · {l.trigger}</span> : null}</td>
            <td data-label="Status"><Badge tone={STATUS_TONE[l.status ?? ""]}>{statusWord(l.status)}</Badge></td>
            <td data-label="Records" className="num">{l.records_synced}</td>
            <td data-label="Finished">{when(l.finished_at)}</td>
            <td data-label="Error">{l.error_message ?? "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Disconnect({ connection, label }: { connection: ConnectionRecord; label: string }) {
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api<void>(`/integrations/${connection.id}`, { method: "DELETE" }),
    onSuccess: () => {
      client.setQueryData<{ integrations: ConnectionRecord[] }>(["integrations"], (d) =>
        d && { ...d, integrations: d.integrations.filter((c) => c.id !== connection.id) },
      );
      void client.invalidateQueries({ queryKey: ["integrations"] });
    },
  });
  return (
    <ConfirmButton
      label="Disconnect"
      confirmLabel={`Yes, disconnect ${label}`}
      question={`Disconnect ${label}? Its credentials are destroyed and syncing stops.`}
      busy={remove.isPending}
      busyLabel="Disconnecting…"
      error={remove.error}
      onConfirm={() => remove.mutate()}
    />
  );
}

export function ConnectionCard({ connection }: { connection: ConnectionRecord }) {
  const info = platformInfo(connection.platform);
  const { status, start, watching } = useSyncStatus(connection);
  const reconnect = useStartOAuth(info.name);
  const [logsOpen, setLogsOpen] = useState(false);
  const logsId = useId();
  const syncing = start.isPending || status.data?.status === "in_progress";
  const lastStatus = connection.last_sync_status;
  const reconnectProblem = connectProblem(reconnect.error, info.label);

  return (
    <Card
      title={info.label}
      className="integ-card integ-connection"
      actions={<Badge tone={STATUS_TONE[connection.status]}>{connection.status}</Badge>}
    >
      <dl className="integ-facts">
        <div><dt>Account</dt><dd>{connection.account_name || "—"}</dd></div>
        <div><dt>Connected</dt><dd>{when(connection.connected_at)}</dd></div>
        <div>
          <dt>Last sync</dt>
          <dd>
            {connection.last_sync_at ? (
              <time dateTime={connection.last_sync_at} title={when(connection.last_sync_at)}>{timeAgo(connection.last_sync_at)}</time>
            ) : "never"}
            {lastStatus && <> <Badge tone={STATUS_TONE[lastStatus]}>{statusWord(lastStatus)}</Badge></>}
          </dd>
        </div>
      </dl>
      {connection.last_sync_error && (
        <p className="integ-last-error"><strong>Last error:</strong> {connection.last_sync_error}</p>
      )}
      {watching && status.data && <SyncProgress status={status.data} />}
      <ErrorNote error={start.error ?? status.error} />
      {reconnectProblem ? <p className="error" role="alert">{reconnectProblem}</p> : <ErrorNote error={reconnect.error} />}
      <div className="row integ-actions">
        {connection.status === "connected" ? (
          <button type="button" className="primary" onClick={() => start.mutate()} disabled={syncing}>
            {syncing ? "Syncing…" : "Sync now"}
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => reconnect.mutate()} disabled={reconnect.isPending || reconnect.isSuccess}>
            Reconnect {info.label}
          </button>
        )}
        <button type="button" aria-expanded={logsOpen} aria-controls={logsId} onClick={() => setLogsOpen((o) => !o)}>
          Logs
        </button>
        <Disconnect connection={connection} label={info.label} />
      </div>
      {logsOpen && (
        <div id={logsId} className="integ-logs-box" role="region" aria-label={`${info.label} sync logs`}>
          <SyncLogs connectionId={connection.id} />
        </div>
      )}
    </Card>
  );
}
