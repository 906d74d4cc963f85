// The organization's records as the gateway answers them (API.md, Identity), and their labels.

import type { Role } from "../../api/types";

export const ROLES: readonly Role[] = ["owner", "admin", "manager", "member", "viewer", "client"];

export const ROLE_LABEL: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  manager: "Manager",
  member: "Member",
  viewer: "Viewer",
  client: "Client",
};

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  client_id?: string | null;
  invited_by: string;
  expires_at: string | null;
  created_at: string | null;
}

export interface InvitationCreated {
  invitation: Invitation;
  /** Shown once: the gateway keeps only its hash. */
  token: string;
}

export interface OrganizationRecord {
  id: string;
  name: string;
  /** Staff only; free-form JSON whose top-level keys merge on PATCH. */
  settings?: Record<string, unknown>;
  timezone: string;
  currency: string;
  updated_at?: string | null;
}

/** The page AcceptInvitation.tsx serves, with the token it reads from `?token=`. */
export function acceptanceLink(token: string): string {
  return `${window.location.origin}/accept-invitation?token=${encodeURIComponent(token)}`;
}

/** The role and client a PATCH or an invitation sends: the gateway refuses a client_id on any
 * role but client. A client role without one goes as it is, so the gateway's 422 says what is
 * missing. */
export function roleBody(role: Role, clientId: string): { role: Role; client_id?: string } {
  return role === "client" && clientId ? { role, client_id: clientId } : { role };
}
