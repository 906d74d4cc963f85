// The org's people as resources (GET /resources), and a form to add one (POST /resources).
// Shown inside the Capacity page to managers and up; cost rates come only in their answers.

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, idempotencyKey } from "../../api/client";
import { hours, money, personName } from "../../api/format";
import { decimalInput } from "../../api/numbers";
import { membersQuery } from "../../api/queries";
import { useSession } from "../../api/session";
import { fieldError } from "../../components/formErrors";
import { Badge, Card, Empty, ErrorNote, Field, Loading } from "../../components/ui";
import { FormActions } from "../../components/FormActions";

export type Seniority = "senior" | "mid" | "junior" | "contractor";
const SENIORITIES: readonly Seniority[] = ["senior", "mid", "junior", "contractor"];
const SENIORITY_LABEL: Record<Seniority, string> = { senior: "Senior", mid: "Mid", junior: "Junior", contractor: "Contractor" };

export interface Person {
  id: string;
  name: string;
  email?: string | null;
  user_id?: string | null;
  seniority_level?: Seniority | null;
  billing_rate?: string | null;
  cost_rate?: string | null;
  currency?: string | null;
  capacity_hours_per_week?: number | null;
  is_active?: boolean;
}

interface Draft {
  name: string;
  email: string;
  seniority_level: Seniority;
  billing_rate: string;
  cost_rate: string;
  capacity_hours_per_week: string;
  user_id: string;
}

const FIELDS = ["name", "email", "seniority_level", "billing_rate", "cost_rate", "capacity_hours_per_week", "user_id"] as const;

const freshDraft = (): Draft => ({
  name: "",
  email: "",
  seniority_level: "mid",
  billing_rate: "",
  cost_rate: "",
  capacity_hours_per_week: "40",
  user_id: "",
});

/** The POST /resources body: rates stay decimal strings, hours a JSON number, optional fields left
 * out when empty. */
export function personBody(d: Draft) {
  const email = d.email.trim();
  const cost = decimalInput(d.cost_rate);
  const hoursText = decimalInput(d.capacity_hours_per_week);
  return {
    name: d.name.trim(),
    ...(email ? { email } : {}),
    seniority_level: d.seniority_level,
    billing_rate: decimalInput(d.billing_rate),
    ...(cost ? { cost_rate: cost } : {}),
    capacity_hours_per_week: hoursText === "" ? null : Number(hoursText),
    ...(d.user_id ? { user_id: d.user_id } : {}),
  };
}

function PersonForm({ onDone, onCancel }: { onDone: (name: string) => void; onCancel: () => void }) {
  const queryClient = useQueryClient();
  const members = useQuery(membersQuery);
  const [draft, setDraft] = useState<Draft>(freshDraft);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const create = useMutation({
    mutationFn: ({ body, key }: { body: ReturnType<typeof personBody>; key: string }) =>
      api<Person>("/resources", { body, idempotencyKey: key }),
    onSuccess: (_created, { body }) => {
      void queryClient.invalidateQueries({ queryKey: ["resources"] });
      void queryClient.invalidateQueries({ queryKey: ["capacity"] });
      onDone(body.name);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate({ body: personBody(draft), key: idempotencyKey() });
  }

  const err = (field: string) => fieldError(create.error, field);
  const options = (members.data?.members ?? [])
    .map(({ user }) => ({ id: user.id, label: personName(user) }))
    .sort((a, b) => a.label.localeCompare(b.label));

  return (
    <form className="form" aria-label="Add person" onSubmit={submit} noValidate>
      <div className="form-row">
        <Field label="Name" error={err("name")}>
          <input value={draft.name} onChange={(e) => set("name", e.target.value)} autoComplete="off" required />
        </Field>
        <Field label="Email" error={err("email")} hint="Optional">
          <input type="email" value={draft.email} onChange={(e) => set("email", e.target.value)} autoComplete="off" />
        </Field>
        <Field label="Seniority" error={err("seniority_level")}>
          <select value={draft.seniority_level} onChange={(e) => set("seniority_level", e.target.value as Seniority)}>
            {SENIORITIES.map((s) => (
              <option key={s} value={s}>{SENIORITY_LABEL[s]}</option>
            ))}
          </select>
        </Field>
      </div>
      <div className="form-row">
        <Field label="Billing rate" error={err("billing_rate")} hint="Per hour">
          <input inputMode="decimal" value={draft.billing_rate} onChange={(e) => set("billing_rate", e.target.value)} required />
        </Field>
        <Field label="Cost rate" error={err("cost_rate")} hint="Per hour, optional">
          <input inputMode="decimal" value={draft.cost_rate} onChange={(e) => set("cost_rate", e.target.value)} />
        </Field>
        <Field label="Hours per week" error={err("capacity_hours_per_week")}>
          <input
            type="number"
            inputMode="decimal"
            min="0"
            max="168"
            step="0.5"
            value={draft.capacity_hours_per_week}
            onChange={(e) => set("capacity_hours_per_week", e.target.value)}
            required
          />
        </Field>
      </div>
      <div className="form-row">
        <Field label="Link to member" error={err("user_id")} hint="Optional: the login whose time this person logs">
          <select value={draft.user_id} onChange={(e) => set("user_id", e.target.value)}>
            <option value="">{members.isPending ? "Loading…" : "No login"}</option>
            {options.map((o) => (
              <option key={o.id} value={o.id}>{o.label}</option>
            ))}
          </select>
        </Field>
      </div>
      <FormActions error={create.error} fields={FIELDS} busy={create.isPending}
        label="Save person" busyLabel="Saving…" onCancel={onCancel} />
    </form>
  );
}

export function People() {
  const { me } = useSession();
  const currency = me?.organization.currency ?? "USD";
  const resources = useQuery({
    queryKey: ["resources"],
    queryFn: ({ signal }) => api<{ resources: Person[] }>("/resources", { query: { limit: 500 }, signal }),
    select: (d) => [...d.resources].sort((a, b) => a.name.localeCompare(b.name)),
  });
  const [open, setOpen] = useState(false);
  const [added, setAdded] = useState<string | null>(null);

  return (
    <Card
      title="People"
      className="people-card"
      actions={
        !open && (
          <button type="button" onClick={() => { setAdded(null); setOpen(true); }}>
            Add person
          </button>
        )
      }
    >
      {open && (
        <PersonForm
          onCancel={() => setOpen(false)}
          onDone={(name) => { setOpen(false); setAdded(`${name || "The person"} added.`); }}
        />
      )}
      {added && <p className="cap-note" role="status">{added}</p>}
      {resources.isPending ? (
        <Loading label="Loading people" />
      ) : resources.isError ? (
        <ErrorNote error={resources.error} />
      ) : resources.data.length === 0 ? (
        <Empty>No people yet: add the first one.</Empty>
      ) : (
        <table className="table people-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Seniority</th>
              <th scope="col" className="num">Billing rate</th>
              <th scope="col" className="num">Cost rate</th>
              <th scope="col" className="num">Capacity</th>
              <th scope="col">Login</th>
            </tr>
          </thead>
          <tbody>
            {resources.data.map((p) => {
              const cur = p.currency || currency;
              return (
                <tr key={p.id}>
                  <td className="lead" data-label="Name">{p.name}</td>
                  <td data-label="Seniority">
                    {p.seniority_level ? SENIORITY_LABEL[p.seniority_level] ?? p.seniority_level : "—"}
                  </td>
                  <td className="num" data-label="Billing rate">{money(p.billing_rate, cur)}</td>
                  <td className="num" data-label="Cost rate">{money(p.cost_rate, cur)}</td>
                  <td className="num" data-label="Capacity">
                    {p.capacity_hours_per_week == null ? "—" : `${hours(p.capacity_hours_per_week)}/week`}
                  </td>
                  <td data-label="Login">
                    {p.user_id ? <Badge tone="good">Has login</Badge> : <span className="muted">No login</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Card>
  );
}
