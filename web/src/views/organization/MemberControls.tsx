// What an admin or owner does to one member: change the role, remove them. Who may do what to
// whom (an owner's role, the last owner) is the gateway's rule: its answer is shown as it is.

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { api } from "../../api/client";
import { membersQuery } from "../../api/queries";
import type { Client, Member, Role } from "../../api/types";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorNote } from "../../components/ui";
import { ROLE_LABEL, ROLES, roleBody } from "./model";

type MemberPage = { members: Member[]; next_cursor: string | null };

export function RoleControl({ member, name, clients, isMe }: {
  member: Member;
  name: string;
  clients: Client[];
  isMe: boolean;
}) {
  const queryClient = useQueryClient();
  const [role, setRole] = useState<Role>(member.role);
  const [clientId, setClientId] = useState(member.client_id ?? "");
  const save = useMutation({
    mutationFn: (body: ReturnType<typeof roleBody>) =>
      api<Member>(`/organizations/current/members/${member.user.id}`, { method: "PATCH", body }),
    onSuccess: (saved) => {
      queryClient.setQueryData<MemberPage>(membersQuery.queryKey, (page) =>
        page && { ...page, members: page.members.map((m) => (m.user.id === saved.user.id ? saved : m)) },
      );
      void queryClient.invalidateQueries({ queryKey: ["members"] });
      // One's own role decides what the console shows.
      if (isMe) void queryClient.invalidateQueries({ queryKey: ["me"] });
    },
  });
  // Saved elsewhere (another admin, the socket): the select follows unless a change is in hand.
  const [seen, setSeen] = useState(member);
  if (seen !== member) {
    const untouched = role === seen.role && clientId === (seen.client_id ?? "");
    setSeen(member);
    if (untouched) {
      setRole(member.role);
      setClientId(member.client_id ?? "");
    }
  }
  const changed = role !== member.role || (role === "client" && clientId !== (member.client_id ?? ""));

  return (
    <div className="org-role">
      <select aria-label={`Role of ${name}`} value={role} disabled={save.isPending}
        onChange={(e) => { save.reset(); setRole(e.target.value as Role); }}>
        {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABEL[r]}</option>)}
      </select>
      {role === "client" && (
        <select aria-label={`Client of ${name}`} value={clientId} disabled={save.isPending}
          onChange={(e) => { save.reset(); setClientId(e.target.value); }}>
          <option value="">Choose a client</option>
          {clients.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select>
      )}
      {changed && (
        <>
          <button type="button" className="primary" disabled={save.isPending}
            aria-label={`Save the role of ${name}`} onClick={() => save.mutate(roleBody(role, clientId))}>
            {save.isPending ? "Saving…" : "Save"}
          </button>
          <button type="button" disabled={save.isPending} aria-label={`Keep the role of ${name}`}
            onClick={() => { save.reset(); setRole(member.role); setClientId(member.client_id ?? ""); }}>
            Cancel
          </button>
        </>
      )}
      {save.isSuccess && !changed && <span className="muted" role="status">Saved</span>}
      <ErrorNote error={save.error} />
    </div>
  );
}

export function RemoveMember({ member, name }: { member: Member; name: string }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api<void>(`/organizations/current/members/${member.user.id}`, { method: "DELETE" }),
    onSuccess: () => {
      queryClient.setQueryData<MemberPage>(membersQuery.queryKey, (page) =>
        page && { ...page, members: page.members.filter((m) => m.user.id !== member.user.id) },
      );
      void queryClient.invalidateQueries({ queryKey: ["members"] });
    },
  });
  return (
    <ConfirmButton
      label="Remove"
      name={`Remove ${name}`}
      confirmLabel={`Yes, remove ${name}`}
      question={`Remove ${name} from the organization? They are signed out everywhere at once.`}
      busy={remove.isPending}
      busyLabel="Removing…"
      error={remove.error}
      onConfirm={() => remove.mutate()}
    />
  );
}
