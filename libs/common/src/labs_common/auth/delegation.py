"""Acting as a member: delegated access tokens from identity (IssueDelegatedToken), for a Labs
service that does something on a person's behalf without their token in hand (integrations: a
Slack user's `/labs time 2h ...`, a GitHub webhook applied as the member who connected GitHub).

    tokens = DelegatedTokens(runtime.channel, settings.delegation_secret, actor="integrations")
    delegation = await tokens.token(org_id, email="ana@example.com", reason="slack /labs time")
    with acting_as(delegation):
        await time_stub.CreateTimeEntry(request)  # carries Ana's token, checked as hers

The token is an ordinary access token (the member's role and client, 5 minutes, no session)
with an RFC 8693 `act` claim naming the service; every service verifies it as any other. A token
is reused per (organization, member) until a minute before it expires.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
from pydantic import SecretStr

from labs.identity.v1 import identity_service_pb2 as pb
from labs.identity.v1 import identity_service_pb2_grpc as pb_grpc
from labs_common.auth.principal import Principal, bind_principal, reset_principal
from labs_common.auth.roles import Role
from labs_common.errors import InvalidArgument
from labs_common.grpc.status import remote_call

# The gRPC metadata a service shows identity the delegation secret in.
SERVICE_CREDENTIAL_METADATA = "x-labs-service-credential"
# A cached token is not handed out once it has less than this left: a call made with it must
# still reach the last service of its chain before it expires.
REFRESH_MARGIN = timedelta(seconds=60)

Clock = Callable[[], datetime]
ChannelFactory = Callable[[str], grpc.aio.Channel]


@dataclass(frozen=True)
class Delegation:
    """A member's delegated access token and who it makes the caller."""

    token: str
    org_id: uuid.UUID
    user_id: uuid.UUID
    role: Role
    email: str
    expires_at: datetime
    client_id: uuid.UUID | None = None

    def principal(self) -> Principal:
        return Principal(user_id=self.user_id, org_id=self.org_id, role=self.role,
                         token=self.token, client_id=self.client_id)

    def __repr__(self) -> str:  # never the token in a log line or a traceback
        return (f"Delegation(org_id={self.org_id}, user_id={self.user_id}, "
                f"role={self.role.value}, expires_at={self.expires_at.isoformat()})")


@contextmanager
def acting_as(delegation: Delegation) -> Iterator[Principal]:
    """Within it, the member is the bound principal: calls through the platform's channels
    (labs_common.grpc.client) carry their token, and `current_principal()` is them."""
    principal = delegation.principal()
    bound = bind_principal(principal)
    try:
        yield principal
    finally:
        reset_principal(bound)


class DelegatedTokens:
    """Identity's delegated tokens for one calling service, cached per (org, member).

    `identity`: the channel to identity, or a factory of channels by service name (Runtime.
    channel), or an IdentityService stub (tests). `secret`: the delegation secret
    (ServiceSettings.delegation_secret). `actor`: this service's name, which the token's `act`
    claim carries. Identity's answers come back as labs_common.errors: NotFound for an unknown
    organization or member (or a removed one), PermissionDenied for a wrong or unset secret."""

    def __init__(
        self,
        identity: grpc.aio.Channel | ChannelFactory | Any,
        secret: SecretStr | str,
        *,
        actor: str,
        clock: Clock | None = None,
        margin: timedelta = REFRESH_MARGIN,
    ) -> None:
        self._identity = identity
        self._stub: Any = None
        self._secret = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
        self._actor = actor
        self._clock = clock or (lambda: datetime.now(UTC))
        self._margin = margin
        self._cache: dict[tuple, Delegation] = {}
        self._locks: dict[tuple, asyncio.Lock] = {}

    async def token(
        self,
        org_id: uuid.UUID | str,
        *,
        user_id: uuid.UUID | str | None = None,
        email: str | None = None,
        reason: str = "",
    ) -> Delegation:
        """The member's delegated token (exactly one of `user_id` and `email`, which matches
        case-insensitively): the cached one while it has more than the margin left, else a new
        one from identity."""
        if (user_id is None) == (email is None):
            raise InvalidArgument("Name the member by user_id or by email, not both.")
        org = uuid.UUID(str(org_id))
        key = (org, "user", uuid.UUID(str(user_id))) if user_id is not None else (
            org, "email", email.strip().lower())
        if (cached := self._fresh(key)) is not None:
            return cached
        async with self._locks.setdefault(key, asyncio.Lock()):
            if (cached := self._fresh(key)) is not None:  # fetched while we waited
                return cached
            delegation = await self._issue(org, key, reason)
            self._forget_expired()
            self._cache[key] = delegation
            # By id next time too: the same member, whichever way they were named.
            self._cache[(org, "user", delegation.user_id)] = delegation
            return delegation

    def forget(self, org_id: uuid.UUID | str | None = None) -> None:
        """Drops cached tokens (of one organization, or all): after a member's role changed,
        say, the next call asks identity again."""
        if org_id is None:
            self._cache.clear()
        else:
            org = uuid.UUID(str(org_id))
            self._cache = {k: v for k, v in self._cache.items() if k[0] != org}

    def _fresh(self, key: tuple) -> Delegation | None:
        found = self._cache.get(key)
        if found is not None and found.expires_at - self._margin > self._clock():
            return found
        return None

    def _forget_expired(self) -> None:
        now = self._clock()
        self._cache = {k: v for k, v in self._cache.items() if v.expires_at - self._margin > now}
        self._locks = {k: lock for k, lock in self._locks.items()
                       if k in self._cache or lock.locked()}

    async def _issue(self, org: uuid.UUID, key: tuple, reason: str) -> Delegation:
        request = pb.IssueDelegatedTokenRequest(org_id=str(org), actor=self._actor,
                                                reason=reason)
        if key[1] == "user":
            request.user_id = str(key[2])
        else:
            request.email = key[2]
        # Not as whoever is bound now: their token would be forwarded (and verified, and
        # refused once expired) though this RPC takes the secret instead.
        bound = bind_principal(None)
        try:
            answer = await remote_call(self._identity_stub().IssueDelegatedToken(
                request, metadata=((SERVICE_CREDENTIAL_METADATA, self._secret),)))
        finally:
            reset_principal(bound)
        return Delegation(
            token=answer.access_token,
            org_id=org,
            user_id=uuid.UUID(answer.user_id),
            role=Role(pb.Role.Name(answer.role).removeprefix("ROLE_").lower()),
            email=answer.email,
            expires_at=answer.expires_at.ToDatetime(tzinfo=UTC),
            client_id=uuid.UUID(answer.client_id) if answer.client_id else None,
        )

    def _identity_stub(self) -> Any:
        if self._stub is None:
            identity = self._identity
            if isinstance(identity, grpc.aio.Channel):
                self._stub = pb_grpc.IdentityServiceStub(identity)
            elif hasattr(identity, "IssueDelegatedToken"):
                self._stub = identity
            else:
                self._stub = pb_grpc.IdentityServiceStub(identity("identity"))
        return self._stub
