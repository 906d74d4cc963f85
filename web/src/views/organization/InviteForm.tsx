import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, idempotencyKey } from "../../api/client";
import type { Client, Role } from "../../api/types";
import { FormActions } from "../../components/FormActions";
import { fieldError } from "../../components/formErrors";
import { Field } from "../../components/ui";
import { ROLE_LABEL, ROLES, roleBody, type InvitationCreated } from "./model";

const FIELDS = ["email", "role", "client_id"] as const;

/** POST /organizations/current/invitations; `onInvited` gets the answer, whose token is the link. */
export function InviteForm({ clients, onInvited, onCancel }: {
  clients: Client[];
  onInvited: (created: InvitationCreated) => void;
  onCancel: () => void;
}) {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("member");
  const [clientId, setClientId] = useState("");

  const invite = useMutation({
    mutationFn: ({ body, key }: { body: object; key: string }) =>
      api<InvitationCreated>("/organizations/current/invitations", { body, idempotencyKey: key }),
    onSuccess: (created) => {
      void queryClient.invalidateQueries({ queryKey: ["invitations"] });
      onInvited(created);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    invite.mutate({ body: { email: email.trim(), ...roleBody(role, clientId) }, key: idempotencyKey() });
  }

  const err = (field: string) => fieldError(invite.error, field);
  return (
    <form className="form" aria-label="Invite someone" onSubmit={submit} noValidate>
      <div className="form-row">
        <Field label="Email" error={err("email")}>
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" required />
        </Field>
        <Field label="Role" error={err("role")}>
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABEL[r]}</option>)}
          </select>
        </Field>
        {role === "client" && (
          <Field label="Client" error={err("client_id")} hint="They see this client's projects and invoices only">
            <select value={clientId} onChange={(e) => setClientId(e.target.value)} required>
              <option value="">Choose a client</option>
              {clients.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            </select>
          </Field>
        )}
      </div>
      <FormActions error={invite.error} fields={FIELDS} busy={invite.isPending}
        label="Send invitation" busyLabel="Inviting…" onCancel={onCancel} />
    </form>
  );
}
