// The org's people as resources (GET /resources), a form to add one (POST /resources), and their
// deactivation from a date (DELETE /resources/{id}). Shown inside the Capacity page to managers and
// up; cost rates come only in their answers.

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";

import { api, idempotencyKey } from "../../api/client";
import { hours, isoDate, money, personName, shortDate } from "../../api/format";
import { decimalInput } from "../../api/numbers";
import { membersQuery } from "../../api/queries";
import { atLeast, useSession } from "../../api/session";
import { fieldError, FormProblem } from "../../components/formErrors";
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
  /** The first day they no longer count (DELETE /resources/{id}); null while they stay. */
  end_date?: string | null;
  /** Whether they count today: false once `end_date` has come. */
  is_active?: boolean;
}

/** Who the list shows: those who count today (the default), or everyone, those who left too. */
export type Show = "active" | "all";

/** The list of people for `show`, under the family live events and saves invalidate. */
export const resourcesQuery = (show: Show) => ({
  queryKey: ["resources", { is_active: show === "active" ? true : null }],
  queryFn: ({ signal }: { signal: AbortSignal }) =>
    api<{ resources: Person[] }>("/resources", {
      query: { limit: 500, is_active: show === "active" ? true : undefined },
      signal,
    }),
});

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

/** A person's standing: gone (from their end date), leaving (a date to come), or nothing to say. */
function Standing({ person }: { person: Person }) {
  if (!person.end_date) return <span className="muted">Active</span>;
  const on = shortDate(person.end_date);
  return person.is_active === false
    ? <Badge tone="none">Left on {on}</Badge>
    : <Badge tone="warn">Leaves on {on}</Badge>;
}

/** Asks for the date a person leaves from (default today), then DELETE /resources/{id}. */
function DeactivateForm({ person, onDone, onCancel }: {
  person: Person;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const queryClient = useQueryClient();
  const [endDate, setEndDate] = useState(() => isoDate(new Date()));
  const questionId = useId();
  const deactivate = useMutation({
    mutationFn: (end_date: string) =>
      api<void>(`/resources/${person.id}`, { method: "DELETE", query: { end_date } }),
    onSuccess: (_none, end_date) => {
      // They leave capacity, and bookings reaching past the date were cut short or dropped.
      for (const key of ["resources", "capacity", "project", "dashboard"]) {
        void queryClient.invalidateQueries({ queryKey: [key] });
      }
      onDone(`${person.name} no longer counts from ${shortDate(end_date)}.`);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    deactivate.mutate(endDate);
  }

  return (
    <form className="confirm people-deactivate" aria-label={`Deactivate ${person.name}`}
      aria-describedby={questionId} onSubmit={submit} noValidate>
      <p id={questionId}>
        From this date {person.name} leaves capacity and can no longer be booked; bookings that reach
        it end the day before, or go. Their time, history and rates stay.
      </p>
      <Field label="End date" error={fieldError(deactivate.error, "end_date")} hint="The first day they no longer count">
        <input type="date" value={endDate} onChange={(e) => { deactivate.reset(); setEndDate(e.target.value); }} required autoFocus />
      </Field>
      <FormProblem error={deactivate.error} fields={["end_date"]} />
      <div className="row">
        <button type="submit" className="danger" disabled={deactivate.isPending || !endDate}>
          {deactivate.isPending ? "Deactivating…" : "Deactivate"}
        </button>
        <button type="button" onClick={onCancel} disabled={deactivate.isPending}>Cancel</button>
      </div>
    </form>
  );
}

export function People() {
  const { me } = useSession();
  const currency = me?.organization.currency ?? "USD";
  const canManage = atLeast(me?.role, "manager");
  const [show, setShow] = useState<Show>("active");
  const resources = useQuery({
    ...resourcesQuery(show),
    select: (d) => [...d.resources].sort((a, b) => a.name.localeCompare(b.name)),
  });
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [leaving, setLeaving] = useState<string | null>(null);
  const columns = canManage ? 8 : 7;

  return (
    <Card
      title="People"
      className="people-card"
      actions={
        !open && (
          <button type="button" onClick={() => { setNote(null); setOpen(true); }}>
            Add person
          </button>
        )
      }
    >
      {open && (
        <PersonForm
          onCancel={() => setOpen(false)}
          onDone={(name) => { setOpen(false); setNote(`${name || "The person"} added.`); }}
        />
      )}
      <div className="people-filter">
        <label className="field">
          <span className="field-label">Show</span>
          <select value={show} onChange={(e) => setShow(e.target.value as Show)}>
            <option value="active">Active people</option>
            <option value="all">Everyone, those who left too</option>
          </select>
        </label>
      </div>
      {note && <p className="cap-note" role="status">{note}</p>}
      {resources.isPending ? (
        <Loading label="Loading people" />
      ) : resources.isError ? (
        <ErrorNote error={resources.error} />
      ) : resources.data.length === 0 ? (
        <Empty>{show === "active" ? "No one is active: add a person, or show everyone." : "No people yet: add the first one."}</Empty>
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
              <th scope="col">Status</th>
              {canManage && <th scope="col"><span className="sr-only">Actions</span></th>}
            </tr>
          </thead>
          <tbody>
            {resources.data.map((p) => {
              const cur = p.currency || currency;
              const asking = leaving === p.id;
              return [
                <tr key={p.id} className={p.is_active === false ? "people-left" : undefined}>
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
                  <td data-label="Status"><Standing person={p} /></td>
                  {canManage && (
                    <td className="people-actions">
                      {p.is_active !== false && !asking && (
                        <button type="button" className="danger" aria-label={`Deactivate ${p.name}`}
                          onClick={() => { setNote(null); setLeaving(p.id); }}>
                          Deactivate…
                        </button>
                      )}
                    </td>
                  )}
                </tr>,
                asking && (
                  <tr key={`${p.id}-deactivate`} className="people-confirm-row">
                    <td colSpan={columns}>
                      <DeactivateForm
                        person={p}
                        onCancel={() => setLeaving(null)}
                        onDone={(message) => { setLeaving(null); setNote(message); }}
                      />
                    </td>
                  </tr>
                ),
              ];
            })}
          </tbody>
        </table>
      )}
    </Card>
  );
}
