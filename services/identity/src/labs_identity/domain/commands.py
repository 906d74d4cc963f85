"""What callers ask identity to do, one frozen dataclass per use case, built by the servicer from
the request (ids and roles parsed there)."""

from __future__ import annotations

import uuid

from labs_common.auth.roles import Role
from labs_common.commands import ById, Command

# Where a keyset page resumes: the last row's sort key, None for the first page.
After = tuple | None


class Signup(Command):
    email: str
    password: str
    organization_name: str
    first_name: str
    last_name: str


class Login(Command):
    email: str
    password: str
    organization_id: str
    # The client's address as the gateway saw it ("" when not told): throttled like an account.
    client_address: str = ""


class RefreshSession(Command):
    refresh_token: str


class Logout(Command):
    pass


class GetMe(Command):
    pass


class GetOrganization(Command):
    pass


class UpdateOrganization(Command):
    changes: dict
    fields: list[str]
    if_match: list[str]


class ListMembers(Command):
    after: After
    limit: int


class GetMember(ById):
    pass


class UpdateMember(Command):
    user_id: uuid.UUID
    role: Role
    client_id: str


class RemoveMember(ById):
    pass


class CreateInvitation(Command):
    email: str
    role: Role
    client_id: str


class AcceptInvitation(Command):
    token: str
    password: str
    first_name: str
    last_name: str


class CreateApiKey(Command):
    name: str
    role: Role


class ListApiKeys(Command):
    after: After
    limit: int


class RevokeApiKey(ById):
    pass


class AuthenticateApiKey(Command):
    secret: str


class ChangePassword(Command):
    current_password: str
    new_password: str


class RequestPasswordReset(Command):
    email: str


class ResetPassword(Command):
    token: str
    password: str


class GetProfile(Command):
    pass


class UpdateProfile(Command):
    changes: dict
    fields: list[str]
    if_match: list[str]


class ListInvitations(Command):
    after: After
    limit: int


class RevokeInvitation(ById):
    pass


class IssueDelegatedToken(Command):
    """A Labs service (`actor`) asks to act as one member of `org_id`, named by exactly one of
    `user_id` and `email` (the caller's credential is checked by the servicer, before this)."""

    org_id: uuid.UUID
    user_id: uuid.UUID | None
    email: str | None
    actor: str
    reason: str = ""
