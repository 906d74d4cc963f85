import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, idempotencyKey } from "../../api/client";
import { clientsQuery } from "../../api/queries";
import type { Client } from "../../api/types";
import { FormActions } from "../../components/FormActions";
import { fieldError } from "../../components/formErrors";
import { Field } from "../../components/ui";

const FIELDS = ["name", "email", "currency"] as const;

interface Draft {
  name: string;
  email: string;
  currency: string;
}

// A new client starts in the organization's currency: the gateway's default is USD whatever the
// organization's.
const draftOf = (c: Client | undefined, currency: string): Draft =>
  ({ name: c?.name ?? "", email: c?.email ?? "", currency: c ? c.currency ?? "" : currency });

/** POST /clients: the optional fields left out when empty. */
export function newClientBody(d: Draft) {
  const email = d.email.trim();
  const currency = d.currency.trim().toUpperCase();
  return { name: d.name.trim(), ...(email ? { email } : {}), ...(currency ? { currency } : {}) };
}

/** PATCH /clients/{id}: only what changed; an emptied email is null, which clears it. */
export function clientChanges(before: Client, d: Draft): Record<string, string | null> {
  const after = newClientBody(d);
  const changes: Record<string, string | null> = {};
  if (after.name !== before.name) changes.name = after.name;
  if ((after.email ?? "") !== (before.email ?? "")) changes.email = after.email ?? null;
  if (after.currency && after.currency !== before.currency) changes.currency = after.currency;
  return changes;
}

/** Adds a client, or edits `client` when given. */
export function ClientForm({ client, defaultCurrency, onDone, onCancel }: {
  client?: Client;
  defaultCurrency: string;
  onDone: (saved: Client) => void;
  onCancel: () => void;
}) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(client, defaultCurrency));
  const set = (key: keyof Draft) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: e.target.value }));

  const save = useMutation({
    mutationFn: async (): Promise<Client> => {
      if (!client) return api<Client>("/clients", { body: newClientBody(draft), idempotencyKey: idempotencyKey() });
      const changes = clientChanges(client, draft);
      if (Object.keys(changes).length === 0) return client; // the gateway refuses an empty PATCH
      return api<Client>(`/clients/${client.id}`, { method: "PATCH", body: changes });
    },
    onSuccess: (saved) => {
      if (client) {
        queryClient.setQueryData<{ clients: Client[]; next_cursor: string | null }>(clientsQuery.queryKey, (page) =>
          page && { ...page, clients: page.clients.map((c) => (c.id === saved.id ? saved : c)) },
        );
      }
      void queryClient.invalidateQueries({ queryKey: ["clients"] });
      // Projects show their client's name as it is now.
      if (client && saved.name !== client.name) void queryClient.invalidateQueries({ queryKey: ["projects"] });
      onDone(saved);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }

  const err = (field: string) => fieldError(save.error, field);
  const label = client ? `Edit ${client.name}` : "Add client";
  return (
    <form className="form org-form" aria-label={label} onSubmit={submit} noValidate>
      <div className="form-row">
        <Field label="Name" error={err("name")}>
          <input value={draft.name} onChange={set("name")} autoComplete="organization" required />
        </Field>
        <Field label="Email" error={err("email")} hint="Optional: where invoices go">
          <input type="email" value={draft.email} onChange={set("email")} autoComplete="off" />
        </Field>
        <Field label="Currency" error={err("currency")} hint="ISO 4217, e.g. EUR">
          <input value={draft.currency} onChange={set("currency")} maxLength={3} autoCapitalize="characters"
            autoComplete="off" spellCheck={false} />
        </Field>
      </div>
      <FormActions error={save.error} fields={FIELDS} busy={save.isPending}
        label={client ? "Save client" : "Add client"} busyLabel="Saving…" onCancel={onCancel} />
    </form>
  );
}
