"""Issuing sessions: a signed access token plus an opaque refresh token in a family."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from labs_common.auth.roles import Role
from labs_identity.adapters.credentials import REFRESH_TOKEN_PREFIX, digest, new_secret
from labs_identity.adapters.signing import KeyRing
from labs_identity.domain.model import Member, Organization, RefreshToken


@dataclass(frozen=True)
class IssuedSession:
    member: Member
    organization: Organization
    access_token: str
    refresh_token: str
    expires_in: int
    session_id: uuid.UUID


# A delegated token (IssueDelegatedToken) lives this long: enough for one command or webhook.
DELEGATION_TTL = timedelta(minutes=5)


@dataclass(frozen=True)
class TokenIssuer:
    keyring: KeyRing
    issuer: str
    audience: str
    access_ttl: timedelta
    api_key_ttl: timedelta
    refresh_ttl: timedelta
    delegation_ttl: timedelta = DELEGATION_TTL

    async def access_token(
        self,
        member: Member,
        *,
        role: Role | None = None,
        session_id: uuid.UUID | None = None,
        api_key_id: uuid.UUID | None = None,
    ) -> str:
        ttl = self.api_key_ttl if api_key_id else self.access_ttl
        token, _ = await self._signed(member, ttl, role=role, session_id=session_id,
                                      api_key_id=api_key_id)
        return token

    async def delegated_token(self, member: Member, actor: str) -> tuple[str, datetime]:
        """An access token for `member` as a login would give it (role, client_id), no session,
        `delegation_ttl` long, naming the service acting as them (RFC 8693 `act`); and its
        expiry."""
        return await self._signed(member, self.delegation_ttl,
                                  extra={"act": {"sub": f"service:{actor}"}})

    async def _signed(
        self,
        member: Member,
        ttl: timedelta,
        *,
        role: Role | None = None,
        session_id: uuid.UUID | None = None,
        api_key_id: uuid.UUID | None = None,
        extra: dict | None = None,
    ) -> tuple[str, datetime]:
        now = datetime.now(UTC)
        expires = (now + ttl).replace(microsecond=0)  # `exp` holds whole seconds
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(member.id),
            "org": str(member.org_id),
            "role": (role or member.role).value,
            "iat": now,
            "nbf": now,
            "exp": expires,
            "jti": uuid.uuid4().hex,
        }
        if session_id:
            claims["sid"] = str(session_id)
        if api_key_id:
            claims["akid"] = str(api_key_id)
        if member.client_id:
            claims["client_id"] = str(member.client_id)
        claims.update(extra or {})
        return self.keyring.sign(await self.keyring.active(), claims), expires

    async def issue(
        self, uow, member: Member, org: Organization, family_id: uuid.UUID | None = None
    ) -> IssuedSession:
        """A new session (family_id None) or the next pair of an existing one."""
        family_id = family_id or uuid.uuid4()
        refresh = new_secret(REFRESH_TOKEN_PREFIX)
        await uow.refresh_tokens.add(
            RefreshToken(
                id=uuid.uuid4(),
                org_id=member.org_id,
                user_id=member.id,
                family_id=family_id,
                expires_at=datetime.now(UTC) + self.refresh_ttl,
            ),
            digest(refresh),
        )
        access = await self.access_token(member, session_id=family_id)
        return IssuedSession(
            member, org, access, refresh, int(self.access_ttl.total_seconds()), family_id
        )
