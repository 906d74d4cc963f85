import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, idempotencyKey, request } from "../../api/client";
import { projectOptionsQuery } from "../../api/queries";
import type { Project } from "../../api/types";
import { fieldError, FormProblem } from "../../components/formErrors";
import { Card, Empty, ErrorNote, Field, Loading } from "../../components/ui";
import {
  ALERT_TYPES,
  alertTypeLabel,
  DELIVERY_LABEL,
  DELIVERY_METHODS,
  THRESHOLD,
  type AlertType,
  type DeliveryMethod,
} from "./labels";

interface Subscription {
  id: string;
  alert_type: AlertType | null;
  delivery_method: DeliveryMethod | null;
  threshold_value: string | null;
  project_id: string | null;
  enabled: boolean;
}

const SUBSCRIPTIONS = ["alerts", "subscriptions"] as const;
const FIELDS = ["alert_type", "delivery_method", "threshold_value", "project_id"] as const;

function useProjectNames() {
  return useQuery({
    ...projectOptionsQuery,
    select: (d) => d.projects,
  });
}

function SubscribeForm({ projects }: { projects: Project[] }) {
  const client = useQueryClient();
  const [alertType, setAlertType] = useState<AlertType>("margin_threshold");
  const [delivery, setDelivery] = useState<DeliveryMethod>("in_app");
  const [threshold, setThreshold] = useState("");
  const [projectId, setProjectId] = useState("");
  const [note, setNote] = useState<string | null>(null);
  const limits = THRESHOLD[alertType];

  const subscribe = useMutation({
    mutationFn: async ({ body, key }: { body: Record<string, string>; key: string }) => {
      const res = await request("/alerts/subscribe", { body, idempotencyKey: key });
      return { existed: res.status === 200, subscription: (await res.json()) as Subscription };
    },
    onSuccess: ({ existed }) => {
      void client.invalidateQueries({ queryKey: SUBSCRIPTIONS });
      setNote(existed ? "You already had this subscription: it is unchanged." : "Subscribed.");
      setThreshold("");
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    setNote(null);
    const body: Record<string, string> = { alert_type: alertType, delivery_method: delivery };
    if (limits && threshold.trim()) body.threshold_value = threshold.trim();
    if (projectId) body.project_id = projectId;
    subscribe.mutate({ body, key: idempotencyKey() });
  }

  const err = (f: string) => fieldError(subscribe.error, f);
  return (
    <form className="form subscribe-form" onSubmit={submit} noValidate>
      <h3 className="alerts-subhead">New subscription</h3>
      <div className="form-row">
        <Field label="Alert type" error={err("alert_type")}>
          <select value={alertType} onChange={(e) => setAlertType(e.target.value as AlertType)}>
            {ALERT_TYPES.map((t) => <option key={t} value={t}>{alertTypeLabel(t)}</option>)}
          </select>
        </Field>
        <Field label="Delivery" error={err("delivery_method")}>
          <select value={delivery} onChange={(e) => setDelivery(e.target.value as DeliveryMethod)}>
            {DELIVERY_METHODS.map((d) => <option key={d} value={d}>{DELIVERY_LABEL[d]}</option>)}
          </select>
        </Field>
        {limits && (
          <Field label={limits.label} hint={limits.hint} error={err("threshold_value")}>
            <input
              inputMode="decimal"
              value={threshold}
              onChange={(e) => setThreshold(e.target.value)}
              placeholder="Default"
              autoComplete="off"
            />
          </Field>
        )}
        <Field label="Project" error={err("project_id")}>
          <select value={projectId} onChange={(e) => setProjectId(e.target.value)}>
            <option value="">Every project</option>
            {projects.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>
        </Field>
      </div>
      <FormProblem error={subscribe.error} fields={FIELDS} />
      {note && <p className="alerts-note" role="status">{note}</p>}
      <div className="row">
        <button type="submit" className="primary" disabled={subscribe.isPending}>
          {subscribe.isPending ? "Subscribing…" : "Subscribe"}
        </button>
      </div>
    </form>
  );
}

function SubscriptionRow({ sub, projectName }: { sub: Subscription; projectName: string }) {
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: SUBSCRIPTIONS });
  const toggle = useMutation({
    mutationFn: (enabled: boolean) =>
      api<Subscription>(`/alerts/subscriptions/${sub.id}`, { method: "PATCH", body: { enabled } }),
    onSuccess: (updated) => {
      client.setQueryData<{ subscriptions: Subscription[] }>(SUBSCRIPTIONS, (d) =>
        d && { subscriptions: d.subscriptions.map((s) => (s.id === updated.id ? updated : s)) },
      );
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => api<void>(`/alerts/subscriptions/${sub.id}`, { method: "DELETE" }),
    onSuccess: refresh,
  });
  const name = `${alertTypeLabel(sub.alert_type)} by ${sub.delivery_method ? DELIVERY_LABEL[sub.delivery_method] : "—"}`;
  const threshold = sub.alert_type && THRESHOLD[sub.alert_type] ? sub.threshold_value ?? "default" : "—";
  return (
    <tr>
      <td className="lead" data-label="Alert">{alertTypeLabel(sub.alert_type)}</td>
      <td data-label="Delivery">{sub.delivery_method ? DELIVERY_LABEL[sub.delivery_method] : "—"}</td>
      <td data-label="Threshold" className="num">{threshold}</td>
      <td data-label="Project">{projectName}</td>
      <td data-label="Enabled">
        <label className="alerts-check">
          <input
            type="checkbox"
            checked={sub.enabled}
            disabled={toggle.isPending}
            onChange={(e) => toggle.mutate(e.target.checked)}
            aria-label={`Enabled: ${name}, ${projectName}`}
          />
          <span aria-hidden="true">{sub.enabled ? "On" : "Off"}</span>
        </label>
      </td>
      <td data-label="">
        <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}
          aria-label={`Delete subscription: ${name}, ${projectName}`}>
          Delete
        </button>
        <ErrorNote error={toggle.error ?? remove.error} />
      </td>
    </tr>
  );
}

export function Subscriptions() {
  const subs = useQuery({
    queryKey: SUBSCRIPTIONS,
    queryFn: ({ signal }) => api<{ subscriptions: Subscription[] }>("/alerts/subscriptions", { signal }),
  });
  const projects = useProjectNames();
  const projectName = (id: string | null) =>
    id ? projects.data?.find((p) => p.id === id)?.name ?? "A project" : "Every project";
  const list = subs.data?.subscriptions ?? [];

  return (
    <Card title="Subscriptions">
      <p className="muted alerts-intro">Which alerts you get, and where. Each rule is checked as soon as its figures change.</p>
      {subs.isPending && <Loading label="Loading subscriptions" />}
      <ErrorNote error={subs.error} />
      {subs.data && list.length === 0 && <Empty>No subscriptions yet.</Empty>}
      {list.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Alert</th>
              <th scope="col">Delivery</th>
              <th scope="col" className="num">Threshold</th>
              <th scope="col">Project</th>
              <th scope="col">Enabled</th>
              <th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {list.map((s) => <SubscriptionRow key={s.id} sub={s} projectName={projectName(s.project_id)} />)}
          </tbody>
        </table>
      )}
      <SubscribeForm projects={projects.data ?? []} />
    </Card>
  );
}
