import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, ApiError } from "../../api/client";
import { shortDate } from "../../api/format";
import type { Client } from "../../api/types";
import { ConfirmButton } from "../../components/ConfirmButton";
import { Card, Empty, ErrorNote, Loading } from "../../components/ui";
import { ROLE_LABEL, type Invitation } from "./model";

type InvitationPage = { invitations: Invitation[]; next_cursor: string | null };
const KEY = ["invitations"];

function Revoke({ invitation }: { invitation: Invitation }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => api<void>(`/organizations/current/invitations/${invitation.id}`, { method: "DELETE" }),
    onSuccess: () => {
      queryClient.setQueryData<InvitationPage>(KEY, (page) =>
        page && { ...page, invitations: page.invitations.filter((i) => i.id !== invitation.id) },
      );
      void queryClient.invalidateQueries({ queryKey: KEY });
    },
  });
  return (
    <ConfirmButton
      label="Revoke"
      name={`Revoke the invitation of ${invitation.email}`}
      confirmLabel="Yes, revoke it"
      question={`Revoke the invitation of ${invitation.email}? Its link stops working.`}
      busy={revoke.isPending}
      busyLabel="Revoking…"
      error={revoke.error}
      onConfirm={() => revoke.mutate()}
    />
  );
}

/** Invitations not yet accepted, revoked or expired (admin and up). */
export function Invitations({ clients }: { clients: Client[] }) {
  const list = useQuery({
    queryKey: KEY,
    queryFn: ({ signal }) => api<InvitationPage>("/organizations/current/invitations", { query: { limit: 500 }, signal }),
    select: (page) => page.invitations,
  });
  // The gateway decides who manages invitations: a section it refuses is not shown.
  if (list.error instanceof ApiError && list.error.status === 403) return null;
  const clientName = (id: string | null | undefined) => clients.find((c) => c.id === id)?.name;

  return (
    <Card title="Pending invitations">
      {list.isPending ? (
        <Loading label="Loading invitations" />
      ) : list.isError ? (
        <ErrorNote error={list.error} />
      ) : list.data.length === 0 ? (
        <Empty>No invitation is waiting to be accepted.</Empty>
      ) : (
        <table className="table org-table">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Expires</th>
              <th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((i) => (
              <tr key={i.id}>
                <td className="lead org-wrap" data-label="Email">{i.email}</td>
                <td data-label="Role">
                  {ROLE_LABEL[i.role] ?? i.role}
                  {i.role === "client" && ` · ${clientName(i.client_id) ?? "a client"}`}
                </td>
                <td data-label="Expires">{shortDate(i.expires_at)}</td>
                <td className="org-actions"><Revoke invitation={i} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
