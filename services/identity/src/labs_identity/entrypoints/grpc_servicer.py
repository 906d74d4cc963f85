"""labs.identity.v1.IdentityService: map the request in, run one handler in one transaction,
map the result out. Errors are LabsErrors, turned into gRPC status by the error interceptor."""

from __future__ import annotations

from collections.abc import Callable

from google.protobuf import json_format

from labs.identity.v1 import identity_service_pb2 as pb
from labs.identity.v1 import identity_service_pb2_grpc as pb_grpc
from labs_common.auth.principal import current_principal
from labs_common.auth.roles import Role
from labs_common.db.uow import Scope
from labs_common.grpc.transactions import TransactionalRpcs
from labs_common.pagination import after_creation, next_page_token, page_size
from labs_common.parsing import uuid_of
from labs_identity.adapters import proto
from labs_identity.adapters.sessions import IssuedSession, TokenIssuer
from labs_identity.adapters.signing import KeyRing
from labs_identity.service_layer import api_keys, auth, organizations
from labs_identity.service_layer.unit_of_work import IdentityUnitOfWork

# Callable without a token: how a caller gets one, and the keys that verify them.
PUBLIC_METHODS = (
    "Signup",
    "Login",
    "RefreshSession",
    "AcceptInvitation",
    "GetJwks",
    "AuthenticateApiKey",
)

UowFactory = Callable[[Scope], IdentityUnitOfWork]


class IdentityServicer(TransactionalRpcs, pb_grpc.IdentityServiceServicer):
    def __init__(
        self, uow: UowFactory, issuer: TokenIssuer, keyring: KeyRing, invitation_ttl
    ) -> None:
        self._uow = uow
        self._issuer = issuer
        self._keyring = keyring
        self._invitation_ttl = invitation_ttl

    # --- sessions ---------------------------------------------------------------------------

    async def Signup(self, request: pb.SignupRequest, context) -> pb.SignupResponse:
        async def work(uow):
            session = await auth.signup(
                uow,
                self._issuer,
                email=request.email,
                password=request.password,
                organization_name=request.organization_name,
                first_name=request.first_name,
                last_name=request.last_name,
            )
            return pb.SignupResponse(session=_session(session))

        return await self._system(context, request, pb.SignupResponse, work)

    async def Login(self, request: pb.LoginRequest, context) -> pb.LoginResponse:
        async def work(uow):
            session = await auth.login(
                uow,
                self._issuer,
                email=request.email,
                password=request.password,
                organization_id=request.organization_id,
            )
            return pb.LoginResponse(session=_session(session))

        return await self._system(context, request, pb.LoginResponse, work)

    async def RefreshSession(self, request, context) -> pb.RefreshSessionResponse:
        async def work(uow):
            session = await auth.refresh(uow, self._issuer, refresh_token=request.refresh_token)
            return pb.RefreshSessionResponse(session=_session(session))

        return await self._system(context, request, pb.RefreshSessionResponse, work)

    async def Logout(self, request, context) -> pb.LogoutResponse:
        async def work(uow, principal):
            await auth.logout(uow, principal)
            return pb.LogoutResponse()

        return await self._tenant(context, request, pb.LogoutResponse, work)

    async def GetMe(self, request, context) -> pb.GetMeResponse:
        async def work(uow, principal):
            member, org = await auth.me(uow, principal)
            return pb.GetMeResponse(
                user=proto.user(member),
                organization=proto.organization(org),
                role=proto.ROLE.to_proto(principal.role),
                client_id=str(member.client_id or ""),
                api_key_id=str(principal.api_key_id or ""),
            )

        return await self._tenant(context, request, pb.GetMeResponse, work)

    # --- signing keys -----------------------------------------------------------------------

    async def GetJwks(self, request, context) -> pb.GetJwksResponse:
        return pb.GetJwksResponse(keys=[pb.Jwk(**key) for key in await self._keyring.published()])

    async def RotateSigningKey(self, request, context) -> pb.RotateSigningKeyResponse:
        principal = current_principal()
        # Keys sign every tenant's tokens: rotating them is an operator's act, done by the
        # `rotate-keys` command; through the API only an owner may trigger it.
        principal.require(Role.OWNER)
        return pb.RotateSigningKeyResponse(kid=await self._keyring.rotate())

    # --- organization and members -----------------------------------------------------------

    async def GetOrganization(self, request, context) -> pb.GetOrganizationResponse:
        async def work(uow, principal):
            org = await organizations.get_organization(uow, principal)
            return pb.GetOrganizationResponse(organization=proto.organization(org))

        return await self._tenant(context, request, pb.GetOrganizationResponse, work)

    async def UpdateOrganization(self, request, context) -> pb.UpdateOrganizationResponse:
        fields = list(request.update_mask.paths)
        given = request.organization
        changes = {
            "name": given.name,
            "timezone": given.timezone,
            "currency": given.currency,
            "settings": json_format.MessageToDict(given.settings),
        }

        async def work(uow, principal):
            org = await organizations.update_organization(
                uow, principal, changes=changes, fields=fields,
                if_match=list(request.if_match_etags),
            )
            return pb.UpdateOrganizationResponse(organization=proto.organization(org))

        return await self._tenant(context, request, pb.UpdateOrganizationResponse, work)

    async def ListMembers(self, request, context) -> pb.ListMembersResponse:
        limit = page_size(request.page_size)
        after = after_creation(request.page_token)

        async def work(uow, principal):
            members = await organizations.list_members(uow, principal, after, limit + 1)
            return pb.ListMembersResponse(
                members=[proto.member(m) for m in members[:limit]],
                next_page_token=next_page_token(members, limit),
            )

        return await self._tenant(context, request, pb.ListMembersResponse, work)

    async def GetMember(self, request, context) -> pb.GetMemberResponse:
        user_id = uuid_of(request.user_id, "user_id")

        async def work(uow, principal):
            member = await organizations.get_member(uow, principal, user_id=user_id)
            return pb.GetMemberResponse(member=proto.member(member))

        return await self._tenant(context, request, pb.GetMemberResponse, work)

    async def UpdateMember(self, request, context) -> pb.UpdateMemberResponse:
        user_id = uuid_of(request.user_id, "user_id")
        role = proto.ROLE.parse(request.role, "role")

        async def work(uow, principal):
            member = await organizations.update_member(
                uow, principal, user_id=user_id, role=role, client_id=request.client_id
            )
            return pb.UpdateMemberResponse(member=proto.member(member))

        return await self._tenant(context, request, pb.UpdateMemberResponse, work)

    async def RemoveMember(self, request, context) -> pb.RemoveMemberResponse:
        user_id = uuid_of(request.user_id, "user_id")

        async def work(uow, principal):
            await organizations.remove_member(uow, principal, user_id=user_id)
            return pb.RemoveMemberResponse()

        return await self._tenant(context, request, pb.RemoveMemberResponse, work)

    async def CreateInvitation(self, request, context) -> pb.CreateInvitationResponse:
        role = proto.ROLE.parse(request.role, "role")

        async def work(uow, principal):
            invitation, token = await organizations.create_invitation(
                uow,
                principal,
                email=request.email,
                role=role,
                client_id=request.client_id,
                ttl=self._invitation_ttl,
            )
            return pb.CreateInvitationResponse(invitation=proto.invitation(invitation), token=token)

        return await self._tenant(context, request, pb.CreateInvitationResponse, work)

    async def AcceptInvitation(self, request, context) -> pb.AcceptInvitationResponse:
        async def work(uow):
            session = await organizations.accept_invitation(
                uow,
                self._issuer,
                token=request.token,
                password=request.password,
                first_name=request.first_name,
                last_name=request.last_name,
            )
            return pb.AcceptInvitationResponse(session=_session(session))

        return await self._system(context, request, pb.AcceptInvitationResponse, work)

    # --- API keys ---------------------------------------------------------------------------

    async def CreateApiKey(self, request, context) -> pb.CreateApiKeyResponse:
        role = proto.ROLE.parse(request.role, "role")

        async def work(uow, principal):
            key, secret = await api_keys.create_api_key(
                uow, principal, name=request.name, role=role
            )
            return pb.CreateApiKeyResponse(api_key=proto.api_key(key), secret=secret)

        return await self._tenant(context, request, pb.CreateApiKeyResponse, work)

    async def ListApiKeys(self, request, context) -> pb.ListApiKeysResponse:
        limit = page_size(request.page_size)
        after = after_creation(request.page_token)

        async def work(uow, principal):
            keys = await api_keys.list_api_keys(uow, principal, after, limit + 1)
            return pb.ListApiKeysResponse(
                api_keys=[proto.api_key(k) for k in keys[:limit]],
                next_page_token=next_page_token(keys, limit),
            )

        return await self._tenant(context, request, pb.ListApiKeysResponse, work)

    async def RevokeApiKey(self, request, context) -> pb.RevokeApiKeyResponse:
        key_id = uuid_of(request.id, "id")

        async def work(uow, principal):
            await api_keys.revoke_api_key(uow, principal, key_id=key_id)
            return pb.RevokeApiKeyResponse()

        return await self._tenant(context, request, pb.RevokeApiKeyResponse, work)

    async def AuthenticateApiKey(self, request, context) -> pb.AuthenticateApiKeyResponse:
        async def work(uow):
            token = await api_keys.authenticate_api_key(uow, self._issuer, secret=request.secret)
            return pb.AuthenticateApiKeyResponse(
                access_token=token, expires_in=int(self._issuer.api_key_ttl.total_seconds())
            )

        return await self._system(context, request, pb.AuthenticateApiKeyResponse, work)


def _session(session: IssuedSession) -> pb.Session:
    return pb.Session(
        user=proto.user(session.member),
        organization=proto.organization(session.organization),
        role=proto.ROLE.to_proto(session.member.role),
        access_token=session.access_token,
        refresh_token=session.refresh_token,
        expires_in=session.expires_in,
    )
