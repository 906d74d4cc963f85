"""What callers ask identity to do, one frozen dataclass per use case, built by the servicer from
the request (ids and roles parsed there)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from labs_common.auth.roles import Role

# Where a keyset page resumes: the last row's sort key, None for the first page.
After = tuple | None


@dataclass(frozen=True)
class Signup:
    email: str
    password: str
    organization_name: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class Login:
    email: str
    password: str
    organization_id: str


@dataclass(frozen=True)
class RefreshSession:
    refresh_token: str


@dataclass(frozen=True)
class Logout:
    pass


@dataclass(frozen=True)
class GetMe:
    pass


@dataclass(frozen=True)
class GetOrganization:
    pass


@dataclass(frozen=True)
class UpdateOrganization:
    changes: dict
    fields: list[str]
    if_match: list[str]


@dataclass(frozen=True)
class ListMembers:
    after: After
    limit: int


@dataclass(frozen=True)
class GetMember:
    user_id: uuid.UUID


@dataclass(frozen=True)
class UpdateMember:
    user_id: uuid.UUID
    role: Role
    client_id: str


@dataclass(frozen=True)
class RemoveMember:
    user_id: uuid.UUID


@dataclass(frozen=True)
class CreateInvitation:
    email: str
    role: Role
    client_id: str


@dataclass(frozen=True)
class AcceptInvitation:
    token: str
    password: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class CreateApiKey:
    name: str
    role: Role


@dataclass(frozen=True)
class ListApiKeys:
    after: After
    limit: int


@dataclass(frozen=True)
class RevokeApiKey:
    key_id: uuid.UUID


@dataclass(frozen=True)
class AuthenticateApiKey:
    secret: str


@dataclass(frozen=True)
class ChangePassword:
    current_password: str
    new_password: str


@dataclass(frozen=True)
class RequestPasswordReset:
    email: str


@dataclass(frozen=True)
class ResetPassword:
    token: str
    password: str


@dataclass(frozen=True)
class GetProfile:
    pass


@dataclass(frozen=True)
class UpdateProfile:
    changes: dict
    fields: list[str]
    if_match: list[str]


@dataclass(frozen=True)
class ListInvitations:
    after: After
    limit: int


@dataclass(frozen=True)
class RevokeInvitation:
    invitation_id: uuid.UUID
