import { useQuery } from "@tanstack/react-query";

import { api, ApiError } from "../../api/client";
import { Card, Empty, ErrorNote, Loading, Page } from "../../components/ui";
import { ConnectCard } from "./ConnectCard";
import { ConnectionCard } from "./ConnectionCard";
import "./integrations.css";
import { useOAuthReturn } from "./oauth";
import { PLATFORMS, platformInfo, type ConnectionRecord } from "./platforms";

function OAuthOutcome() {
  const back = useOAuthReturn();
  if (back.finishing) return <Loading label={`Finishing the ${back.platformLabel} connection`} />;
  if (back.connected) {
    const label = platformInfo(back.connected.platform).label;
    return (
      <p className="integ-note" role="status">
        {label} connected{back.connected.account_name ? ` as ${back.connected.account_name}` : ""}.
      </p>
    );
  }
  if (back.error) {
    return (
      <div className="integ-outcome">
        <h2 className="integ-outcome-title">Connecting {back.platformLabel} did not finish</h2>
        <ErrorNote error={back.error} />
      </div>
    );
  }
  if (back.denial) return <p className="error" role="alert">{back.denial}</p>;
  return null;
}

export default function Integrations() {
  const list = useQuery({
    queryKey: ["integrations"],
    queryFn: ({ signal }) => api<{ integrations: ConnectionRecord[] }>("/integrations", { signal }),
  });
  const connections = list.data?.integrations ?? [];
  const available = PLATFORMS.filter((p) => !connections.some((c) => c.platform === p.name));
  const forbidden = list.error instanceof ApiError && list.error.status === 403;

  if (forbidden) {
    return (
      <Page title="Integrations">
        <Card><p>Integrations are managed by your organization's admins.</p></Card>
      </Page>
    );
  }

  return (
    <Page title="Integrations">
      <OAuthOutcome />
      <section className="integ-section" aria-labelledby="integ-connected">
        <h2 id="integ-connected">Connected</h2>
        {list.isPending && <Loading label="Loading connections" />}
        <ErrorNote error={list.error} />
        {list.data && connections.length === 0 && (
          <Empty>Nothing connected yet. Connect a platform below to bring its work into Labs.</Empty>
        )}
        {connections.length > 0 && (
          <div className="grid grid-2">
            {connections.map((c) => <ConnectionCard key={c.id} connection={c} />)}
          </div>
        )}
      </section>
      {list.data && available.length > 0 && (
        <section className="integ-section" aria-labelledby="integ-available">
          <h2 id="integ-available">Add a connection</h2>
          <div className="grid grid-3">
            {available.map((p) => <ConnectCard key={p.name} platform={p} />)}
          </div>
        </section>
      )}
    </Page>
  );
}
