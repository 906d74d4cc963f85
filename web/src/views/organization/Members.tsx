import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { personName } from "../../api/format";
import { clientsQuery, membersQuery } from "../../api/queries";
import { useSession } from "../../api/session";
import { Badge, Card, Empty, ErrorNote, Loading } from "../../components/ui";
import { InvitationLink } from "./InvitationLink";
import { Invitations } from "./Invitations";
import { InviteForm } from "./InviteForm";
import { RemoveMember, RoleControl } from "./MemberControls";
import { ROLE_LABEL, type InvitationCreated } from "./model";

/** The members (every staff role reads them), a client-role member with its client; inviting,
 * roles and removal for `canManage`. */
export function Members({ canManage }: { canManage: boolean }) {
  const { me } = useSession();
  const members = useQuery({
    ...membersQuery,
    select: (page) =>
      page.members
        .map((m) => ({ member: m, name: personName(m.user) }))
        .sort((a, b) => a.name.localeCompare(b.name)),
  });
  const clients = useQuery({ ...clientsQuery, select: (page) => page.clients });
  const clientList = clients.data ?? [];
  const [inviting, setInviting] = useState(false);
  const [created, setCreated] = useState<InvitationCreated | null>(null);
  const clientName = (id: string | null | undefined) => clientList.find((c) => c.id === id)?.name ?? "a client";

  return (
    <>
      <Card
        title="Members"
        actions={canManage && !inviting && (
          <button type="button" onClick={() => { setCreated(null); setInviting(true); }}>Invite someone</button>
        )}
      >
        {!canManage && <p className="muted org-note">Owners and admins invite people and change roles.</p>}
        {inviting && (
          <InviteForm
            clients={clientList}
            onCancel={() => setInviting(false)}
            onInvited={(answer) => { setInviting(false); setCreated(answer); }}
          />
        )}
        {created && <InvitationLink created={created} />}
        {members.isPending ? (
          <Loading label="Loading members" />
        ) : members.isError ? (
          <ErrorNote error={members.error} />
        ) : members.data.length === 0 ? (
          <Empty>No members yet.</Empty>
        ) : (
          <table className="table org-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                {canManage && <th scope="col"><span className="sr-only">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {members.data.map(({ member, name }) => {
                const isMe = member.user.id === me?.user.id;
                return (
                  <tr key={member.user.id}>
                    <td className="lead org-wrap" data-label="Name">
                      {name} {isMe && <Badge tone="info">You</Badge>}
                    </td>
                    <td className="org-wrap" data-label="Email">{member.user.email}</td>
                    <td data-label="Role">
                      {canManage ? (
                        <RoleControl member={member} name={name} clients={clientList} isMe={isMe} />
                      ) : (
                        <>
                          {ROLE_LABEL[member.role] ?? member.role}
                          {member.role === "client" && ` · ${clientName(member.client_id)}`}
                        </>
                      )}
                    </td>
                    {canManage && <td className="org-actions"><RemoveMember member={member} name={name} /></td>}
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Card>
      {canManage && <Invitations clients={clientList} />}
    </>
  );
}
