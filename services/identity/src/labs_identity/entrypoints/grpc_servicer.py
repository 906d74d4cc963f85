"""labs.identity.v1.IdentityService: map the request in, run one handler in one transaction,
map the result out. Errors are LabsErrors, turned into gRPC status by the error interceptor."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from google.protobuf import json_format

from labs.identity.v1 import identity_service_pb2 as pb
from labs.identity.v1 import identity_service_pb2_grpc as pb_grpc
from labs_common.auth.delegation import SERVICE_CREDENTIAL_METADATA
from labs_common.auth.principal import current_principal
from labs_common.auth.roles import Role
from labs_common.db.uow import Scope
from labs_common.errors import FieldError, InvalidArgument
from labs_common.grpc.interceptors import metadata_value
from labs_common.grpc.transactions import TransactionalRpcs
from labs_common.pagination import after_creation, page_size
from labs_common.parsing import uuid_of
from labs_common.protobuf import timestamp
from labs_identity.adapters import proto
from labs_identity.adapters.credentials import TokenDeriver
from labs_identity.adapters.sessions import IssuedSession, TokenIssuer
from labs_identity.adapters.signing import KeyRing
from labs_identity.domain import commands, rules
from labs_identity.service_layer import accounts, api_keys, auth, delegation, organizations
from labs_identity.service_layer.unit_of_work import IdentityUnitOfWork

# Callable without a token: how a caller gets one, and the keys that verify them.
PUBLIC_METHODS = (
    "Signup",
    "Login",
    "RefreshSession",
    "AcceptInvitation",
    "GetJwks",
    "AuthenticateApiKey",
    "RequestPasswordReset",
    "ResetPassword",
    # A Labs service, not a person: it shows the delegation secret instead of a token.
    "IssueDelegatedToken",
)
# The client's address, which the gateway may send with a sign-in: the login throttle counts
# failures per address as well as per account.
CLIENT_ADDRESS_METADATA = "client-address"
# A password-reset request answers no sooner than this, whether or not the email has accounts
# (what each case does differs by an insert or two, hidden under this floor).
RESET_REQUEST_FLOOR_SECONDS = 0.25

UowFactory = Callable[[Scope], IdentityUnitOfWork]


class IdentityServicer(TransactionalRpcs, pb_grpc.IdentityServiceServicer):
    def __init__(
        self,
        uow: UowFactory,
        issuer: TokenIssuer,
        keyring: KeyRing,
        invitation_ttl: timedelta,
        deriver: TokenDeriver,
        reset_ttl: timedelta = timedelta(hours=1),
        *,
        delegation_secret: str = "",
    ) -> None:
        self._uow = uow
        self._issuer = issuer
        self._keyring = keyring
        self._invitation_ttl = invitation_ttl
        self._deriver = deriver
        self._reset_ttl = reset_ttl
        # Empty: IssueDelegatedToken refuses every caller.
        self._delegation_secret = delegation_secret

    # --- sessions ---------------------------------------------------------------------------

    async def Signup(self, request: pb.SignupRequest, context) -> pb.SignupResponse:
        """A new organization and its first owner, signed in."""
        command = commands.Signup(request.email, request.password, request.organization_name,
                                  request.first_name, request.last_name)
        return await self._handle(
            context, request, partial(auth.signup, issuer=self._issuer), command,
            lambda session: pb.SignupResponse(session=_session(session)), system=True,
        )

    async def Login(self, request: pb.LoginRequest, context) -> pb.LoginResponse:
        """A session for an email and password (in one of the person's organizations)."""
        command = commands.Login(request.email, request.password, request.organization_id,
                                 metadata_value(context, CLIENT_ADDRESS_METADATA) or "")
        return await self._handle(
            context, request,
            partial(auth.login, issuer=self._issuer, attempts=auth.LoginAttempts(self._uow)),
            command, lambda session: pb.LoginResponse(session=_session(session)), system=True,
        )

    async def RefreshSession(self, request, context) -> pb.RefreshSessionResponse:
        """A new access token for a refresh token (which it replaces)."""
        command = commands.RefreshSession(request.refresh_token)
        return await self._handle(
            context, request, partial(auth.refresh, issuer=self._issuer), command,
            lambda session: pb.RefreshSessionResponse(session=_session(session)), system=True,
        )

    async def Logout(self, request, context) -> pb.LogoutResponse:
        """Ends the caller's session (its refresh tokens)."""
        return await self._handle(
            context, request, partial(auth.logout, access_ttl=self._issuer.access_ttl),
            commands.Logout())

    async def GetMe(self, request, context) -> pb.GetMeResponse:
        """The caller: user, organization and role."""
        return await self._handle(context, request, auth.me, commands.GetMe(), _me)

    # --- signing keys -----------------------------------------------------------------------

    async def GetJwks(self, request, context) -> pb.GetJwksResponse:
        """The public keys that verify access tokens."""
        return pb.GetJwksResponse(keys=[pb.Jwk(**key) for key in await self._keyring.published()])

    async def RotateSigningKey(self, request, context) -> pb.RotateSigningKeyResponse:
        """Starts a new signing key (owners; operators use the `rotate-keys` command)."""
        principal = current_principal()
        # Keys sign every tenant's tokens: rotating them is an operator's act, done by the
        # `rotate-keys` command; through the API only an owner may trigger it.
        principal.require(Role.OWNER)
        return pb.RotateSigningKeyResponse(kid=await self._keyring.rotate())

    # --- organization and members -----------------------------------------------------------

    async def GetOrganization(self, request, context) -> pb.GetOrganizationResponse:
        """The caller's organization."""
        return await self._handle(
            context, request, organizations.get_organization, commands.GetOrganization(),
            organization=proto.organization,
        )

    async def UpdateOrganization(self, request, context) -> pb.UpdateOrganizationResponse:
        """Changes what the update mask names (admins), if the etag still matches."""
        given = request.organization
        command = commands.UpdateOrganization(
            changes={
                "name": given.name,
                "timezone": given.timezone,
                "currency": given.currency,
                "settings": json_format.MessageToDict(given.settings),
            },
            fields=list(request.update_mask.paths),
            if_match=list(request.if_match_etags),
        )
        return await self._handle(context, request, organizations.update_organization, command,
                                  organization=proto.organization)

    async def ListMembers(self, request, context) -> pb.ListMembersResponse:
        """The organization's members, a page at a time."""
        limit = page_size(request.page_size)
        command = commands.ListMembers(after_creation(request.page_token), limit + 1)
        return await self._handle_page(
            context, request, organizations.list_members, command, limit, members=proto.member)

    async def GetMember(self, request, context) -> pb.GetMemberResponse:
        """One member of the caller's organization."""
        return await self._get_one(context, request, organizations.get_member, commands.GetMember,
                                   member=proto.member, id_field="user_id")

    async def UpdateMember(self, request, context) -> pb.UpdateMemberResponse:
        """Changes a member's role (and the client a client-role member belongs to)."""
        command = commands.UpdateMember(uuid_of(request.user_id, "user_id"),
                                        proto.ROLE.parse(request.role, "role"), request.client_id)
        return await self._handle(context, request, organizations.update_member, command,
                                  member=proto.member)

    async def RemoveMember(self, request, context) -> pb.RemoveMemberResponse:
        """Removes a member (their history stays; they can no longer sign in)."""
        command = commands.RemoveMember(uuid_of(request.user_id, "user_id"))
        return await self._handle(
            context, request,
            partial(organizations.remove_member, access_ttl=self._issuer.access_ttl), command)

    async def CreateInvitation(self, request, context) -> pb.CreateInvitationResponse:
        """Invites a person by email with a role; answers the invitation's one-time token."""
        command = commands.CreateInvitation(request.email, proto.ROLE.parse(request.role, "role"),
                                            request.client_id)
        return await self._handle(
            context, request,
            partial(organizations.create_invitation, ttl=self._invitation_ttl,
                    deriver=self._deriver), command,
            lambda made: pb.CreateInvitationResponse(
                invitation=proto.invitation(made[0]), token=made[1]),
        )

    async def AcceptInvitation(self, request, context) -> pb.AcceptInvitationResponse:
        """Joins the organization an invitation is for, signed in."""
        command = commands.AcceptInvitation(request.token, request.password,
                                            request.first_name, request.last_name)
        return await self._handle(
            context, request, partial(organizations.accept_invitation, issuer=self._issuer),
            command, lambda session: pb.AcceptInvitationResponse(session=_session(session)),
            system=True,
        )

    async def ListInvitations(self, request, context) -> pb.ListInvitationsResponse:
        """Pending invitations, a page at a time."""
        limit = page_size(request.page_size)
        command = commands.ListInvitations(after_creation(request.page_token), limit + 1)
        return await self._handle_page(context, request, organizations.list_invitations,
                                       command, limit, invitations=proto.invitation)

    async def RevokeInvitation(self, request, context) -> pb.RevokeInvitationResponse:
        """Withdraws a pending invitation."""
        command = commands.RevokeInvitation(uuid_of(request.id, "id"))
        return await self._handle(context, request, organizations.revoke_invitation, command)

    # --- the caller's own account -----------------------------------------------------------

    async def GetProfile(self, request, context) -> pb.GetProfileResponse:
        """The caller's profile."""
        return await self._handle(context, request, accounts.get_profile, commands.GetProfile(),
                                  profile=proto.profile)

    async def UpdateProfile(self, request, context) -> pb.UpdateProfileResponse:
        """Changes what the update mask names, if the etag still matches."""
        given = request.profile
        command = commands.UpdateProfile(
            changes={
                "first_name": given.first_name,
                "last_name": given.last_name,
                "timezone": given.timezone,
                "avatar_url": given.avatar_url,
                "notification_preferences": json_format.MessageToDict(
                    given.notification_preferences),
            },
            fields=list(request.update_mask.paths),
            if_match=list(request.if_match_etags),
        )
        return await self._handle(context, request, accounts.update_profile, command,
                                  profile=proto.profile)

    async def ChangePassword(self, request, context) -> pb.ChangePasswordResponse:
        """A new password for the caller; their other sessions end."""
        command = commands.ChangePassword(request.current_password, request.new_password)
        return await self._handle(
            context, request,
            partial(accounts.change_password, access_ttl=self._issuer.access_ttl), command)

    async def RequestPasswordReset(self, request, context) -> pb.RequestPasswordResetResponse:
        """Emails reset tokens to the accounts of an email, if any (the answer never says)."""
        started = time.monotonic()
        command = commands.RequestPasswordReset(request.email)
        response = await self._handle(
            context, request,
            partial(accounts.request_password_reset, deriver=self._deriver, ttl=self._reset_ttl),
            command, system=True,
        )
        await asyncio.sleep(max(0.0, RESET_REQUEST_FLOOR_SECONDS - (time.monotonic() - started)))
        return response

    async def ResetPassword(self, request, context) -> pb.ResetPasswordResponse:
        """A new password with an emailed token; every session of the account ends."""
        command = commands.ResetPassword(request.token, request.password)
        return await self._handle(
            context, request,
            partial(accounts.reset_password, access_ttl=self._issuer.access_ttl), command,
            system=True,
        )

    # --- API keys ---------------------------------------------------------------------------

    async def CreateApiKey(self, request, context) -> pb.CreateApiKeyResponse:
        """A key for a machine caller, with a role no higher than the caller's."""
        command = commands.CreateApiKey(request.name, proto.ROLE.parse(request.role, "role"))
        return await self._handle(
            context, request, api_keys.create_api_key, command,
            lambda made: pb.CreateApiKeyResponse(api_key=proto.api_key(made[0]), secret=made[1]),
        )

    async def ListApiKeys(self, request, context) -> pb.ListApiKeysResponse:
        """The organization's keys (one's own below admin), a page at a time."""
        limit = page_size(request.page_size)
        command = commands.ListApiKeys(after_creation(request.page_token), limit + 1)
        return await self._handle_page(
            context, request, api_keys.list_api_keys, command, limit, api_keys=proto.api_key)

    async def RevokeApiKey(self, request, context) -> pb.RevokeApiKeyResponse:
        """Revokes a key at once."""
        command = commands.RevokeApiKey(uuid_of(request.id, "id"))
        return await self._handle(context, request, api_keys.revoke_api_key, command)

    async def AuthenticateApiKey(self, request, context) -> pb.AuthenticateApiKeyResponse:
        """A short-lived access token for an API key's secret."""
        command = commands.AuthenticateApiKey(request.secret)
        expires_in = int(self._issuer.api_key_ttl.total_seconds())
        return await self._handle(
            context, request, partial(api_keys.authenticate_api_key, issuer=self._issuer),
            command,
            lambda token: pb.AuthenticateApiKeyResponse(access_token=token, expires_in=expires_in),
            system=True,
        )

    # --- services acting as a member --------------------------------------------------------

    async def IssueDelegatedToken(self, request, context) -> pb.IssueDelegatedTokenResponse:
        """A 5-minute access token for a member, to a Labs service that shows the delegation
        secret (checked before anything else, so a stranger learns nothing of the request)."""
        rules.check_service_credential(
            metadata_value(context, SERVICE_CREDENTIAL_METADATA), self._delegation_secret)
        which = request.WhichOneof("member")
        if which is None:
            raise InvalidArgument("Name the member by user_id or by email.", field_errors=[
                FieldError("user_id", "user_id or email is required")])
        command = commands.IssueDelegatedToken(
            org_id=uuid_of(request.org_id, "org_id"),
            user_id=uuid_of(request.user_id, "user_id") if which == "user_id" else None,
            email=request.email if which == "email" else None,
            actor=request.actor,
            reason=request.reason,
        )
        return await self._handle(
            context, request, partial(delegation.issue_delegated_token, issuer=self._issuer),
            command, _delegated, system=True,
        )


def _me(found) -> pb.GetMeResponse:
    """The caller as GetMe shows it: the role is the token's (an API key's may be lower)."""
    member, org = found
    principal = current_principal()
    return pb.GetMeResponse(
        user=proto.user(member),
        organization=proto.organization(org),
        role=proto.ROLE.to_proto(principal.role),
        client_id=str(member.client_id or ""),
        api_key_id=str(principal.api_key_id or ""),
    )


def _delegated(issued: delegation.DelegatedToken) -> pb.IssueDelegatedTokenResponse:
    member = issued.member
    return pb.IssueDelegatedTokenResponse(
        access_token=issued.access_token,
        expires_at=timestamp(issued.expires_at),
        user_id=str(member.id),
        role=proto.ROLE.to_proto(member.role),
        email=member.email,
        client_id=str(member.client_id or ""),
    )


def _session(session: IssuedSession) -> pb.Session:
    return pb.Session(
        user=proto.user(session.member),
        organization=proto.organization(session.organization),
        role=proto.ROLE.to_proto(session.member.role),
        access_token=session.access_token,
        refresh_token=session.refresh_token,
        expires_in=session.expires_in,
    )
