"""Signing up, signing in, refreshing and ending sessions."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from labs.identity.v1 import events_pb2
from labs_common.auth.roles import Role
from labs_common.db.uow import Scope
from labs_common.errors import (
    FieldError,
    InvalidArgument,
    NotFound,
    Unauthenticated,
)
from labs_identity.adapters import proto
from labs_identity.adapters.credentials import digest
from labs_identity.adapters.passwords import hash_password, needs_rehash, verify_password
from labs_identity.adapters.sessions import IssuedSession, TokenIssuer
from labs_identity.domain import commands, rules, throttle
from labs_identity.domain.model import Member, Organization
from labs_identity.service_layer.unit_of_work import IdentityUnitOfWork

BAD_CREDENTIALS = "The email or password is incorrect."
# ErrorInfo metadata key of a multi-organization login's choices (a JSON list of {id, name}).
ORGANIZATIONS_METADATA = "organizations"


async def signup(
    command: commands.Signup, uow: IdentityUnitOfWork, *, issuer: TokenIssuer
) -> IssuedSession:
    email = command.email
    email = rules.normalize_email(email)
    rules.check_password(command.password)
    org = Organization(
        id=uuid.uuid4(),
        name=rules.check_name(command.organization_name, "organization_name", required=True),
    )
    owner = Member(
        id=uuid.uuid4(),
        org_id=org.id,
        email=email,
        role=Role.OWNER,
        password_hash=await hash_password(command.password),
        first_name=rules.check_name(command.first_name, "first_name", required=False),
        last_name=rules.check_name(command.last_name, "last_name", required=False),
    )
    await uow.organizations.add(org)
    await uow.members.add(owner)
    org = await uow.organizations.get(org.id)
    owner = await uow.members.get(org.id, owner.id)
    await uow.outbox.add(
        "organization.created",
        events_pb2.OrganizationCreated(
            organization=proto.organization(org), owner_user_id=str(owner.id)
        ),
        org_id=org.id,
        actor_id=owner.id,
    )
    await uow.outbox.add(
        "member.joined",
        events_pb2.MemberJoined(member=proto.member(owner)),
        org_id=org.id,
        actor_id=owner.id,
    )
    return await issuer.issue(uow, owner, org)


async def login(
    command: commands.Login,
    uow: IdentityUnitOfWork,
    *,
    issuer: TokenIssuer,
    attempts: LoginAttempts,
) -> IssuedSession:
    """Runs in system scope: the email may belong to members of several organizations.

    The attempt is counted first (a locked account is refused before any verification), and
    costs exactly one password verification whatever the email: an unknown one verifies a
    decoy, one in several organizations only the account chosen (or, with none chosen, the one
    signed into last, before asking to choose)."""
    email = command.email.strip().lower()
    account = login_account(email)
    address = login_address(command.client_address)
    await attempts.admit(account, address)
    candidates = await uow.members.everywhere_by_email(email) if email else []
    if command.organization_id:
        candidates = [(m, name) for m, name in candidates
                      if str(m.org_id) == command.organization_id]
    chosen = _to_verify([m for m, _ in candidates])
    if not await verify_password(chosen.password_hash if chosen else None, command.password):
        raise Unauthenticated(BAD_CREDENTIALS, reason="BAD_CREDENTIALS")
    if len(candidates) > 1:
        await attempts.forgive(account, address)  # right password; only the choice is missing
        raise InvalidArgument(
            "This account belongs to several organizations: choose one.",
            reason="ORGANIZATION_REQUIRED",
            field_errors=[FieldError("organization_id", "is required for this account")],
            # The organizations to choose from, in the order the person joined them; the
            # gateway shows them as `organizations: [{id, name}]` beside `errors`.
            metadata={ORGANIZATIONS_METADATA: json.dumps(
                [{"id": str(m.org_id), "name": name} for m, name in candidates])},
        )
    member = chosen
    rehashed = await hash_password(command.password) if needs_rehash(member.password_hash) else None
    await uow.members.record_login(member.id, rehashed)
    org = await uow.organizations.get(member.org_id)
    session = await issuer.issue(uow, member, org)
    await uow.outbox.add(
        "member.logged_in",
        events_pb2.MemberLoggedIn(user_id=str(member.id), session_id=str(session.session_id)),
        org_id=member.org_id,
        actor_id=member.id,
    )
    # Last, so the throttle's rows stay locked only for the end of the transaction.
    await _proven(uow, account, address)
    return session


def login_account(email: str) -> str:
    """What the login throttle counts attempts of: the lower-cased email, as a digest (the
    emails of failed attempts, often not anyone's, are kept nowhere)."""
    return digest(email.strip().lower())


def login_address(address: str) -> str | None:
    """What the throttle counts an address's attempts under, None when the caller gave none."""
    return digest(f"address:{address.strip()}") if address.strip() else None


def _to_verify(members: list[Member]) -> Member | None:
    """The one account whose password an attempt checks: the one signed into last (else the
    first joined), so a person with several accounts proves one before choosing."""
    if not members:
        return None
    never = datetime.min.replace(tzinfo=UTC)
    return max(members, key=lambda m: m.last_login_at or never)


class LoginAttempts:
    """The login throttle's count (domain.throttle), kept in transactions of its own: an
    attempt's own transaction rolls back when its password is wrong, and the count must stay."""

    def __init__(self, uow_factory: Callable[[Scope], IdentityUnitOfWork]) -> None:
        self._uow = uow_factory

    async def admit(self, account: str, address: str | None = None) -> None:
        """Counts one more attempt of the account and of the address, or refuses it
        (ResourceExhausted, counting nothing) while either waits. The address goes first, so
        an address that waits cannot go on counting up other people's accounts."""
        buckets = [(account, throttle.FREE_FAILURES)]
        if address:
            buckets.insert(0, (address, throttle.FREE_ADDRESS_FAILURES))
        async with self._uow(Scope.of_system()) as uow:
            for bucket, free in buckets:
                counted, now = await uow.login_failures.counted(bucket)
                await uow.login_failures.save(bucket, throttle.admit(counted, now, free))
            await uow.login_failures.prune(throttle.FORGET_AFTER)
            await uow.commit()

    async def forgive(self, account: str, address: str | None = None) -> None:
        async with self._uow(Scope.of_system()) as uow:
            await _proven(uow, account, address)
            await uow.commit()


async def _proven(uow: IdentityUnitOfWork, account: str, address: str | None) -> None:
    """A right password: the account's count is forgotten, the address's loses this attempt
    only (signing into one's own account between guesses at others' must not wipe it). The
    address's row is locked first, as LoginAttempts.admit does, so the two never deadlock."""
    if address:
        await uow.login_failures.uncount(address)
    await uow.login_failures.forget(account)


async def refresh(
    command: commands.RefreshSession, uow: IdentityUnitOfWork, *, issuer: TokenIssuer
) -> IssuedSession:
    """Spends a refresh token. A spent one is evidence of theft: the whole family is revoked
    (and that revocation is committed even though the caller gets 401)."""
    token = (
        await uow.refresh_tokens.by_hash_for_update(digest(command.refresh_token))
        if command.refresh_token
        else None
    )
    if token is None:
        raise Unauthenticated("The refresh token is not valid.", reason="REFRESH_TOKEN_INVALID")
    if token.used_at is not None or token.revoked_at is not None:
        if await uow.refresh_tokens.revoke_family(token.family_id):
            await announce_revoked(uow, token.org_id, token.user_id, [token.family_id],
                                   "refresh_token_reuse", issuer.access_ttl)
        await uow.commit()
        raise Unauthenticated(
            "The refresh token was already used; the session is revoked.",
            reason="REFRESH_TOKEN_REUSED",
        )
    if token.expires_at <= datetime.now(UTC):
        raise Unauthenticated("The refresh token has expired.", reason="REFRESH_TOKEN_EXPIRED")
    member = await uow.members.get(token.org_id, token.user_id)
    if member is None:
        raise Unauthenticated("The account no longer exists.", reason="REFRESH_TOKEN_INVALID")
    await uow.refresh_tokens.mark_used(token.id)
    org = await uow.organizations.get(member.org_id)
    return await issuer.issue(uow, member, org, family_id=token.family_id)


async def logout(
    command: commands.Logout, uow: IdentityUnitOfWork, *, access_ttl: timedelta
) -> None:
    """Ends the session of the caller's access token: its refresh tokens at once, and (through
    session.revoked) its access tokens at every verifier."""
    principal = uow.caller
    if principal.session_id is None:
        return  # API-key callers have no session to end
    await uow.refresh_tokens.revoke_family(principal.session_id)
    # Announced even when the refresh tokens were revoked already (their family reused, say):
    # the access token in hand must stop working too.
    await announce_revoked(uow, principal.org_id, principal.user_id, [principal.session_id],
                           "logout", access_ttl)


async def announce_revoked(
    uow: IdentityUnitOfWork,
    org_id: uuid.UUID,
    user_id: uuid.UUID,
    session_ids: Iterable[uuid.UUID],
    reason: str,
    access_ttl: timedelta,
) -> None:
    """One session.revoked per session: every verifier refuses its access tokens until the last
    one issued (no later than now) would have expired anyway."""
    expires = datetime.now(UTC) + access_ttl
    payloads = []
    for session_id in session_ids:
        payload = events_pb2.SessionRevoked(
            user_id=str(user_id), session_id=str(session_id), reason=reason)
        payload.access_expires_at.FromDatetime(expires)
        payloads.append(payload)
    await uow.outbox.add_many("session.revoked", payloads, org_id=org_id, actor_id=user_id)


async def me(
    command: commands.GetMe, uow: IdentityUnitOfWork
) -> tuple[Member, Organization]:
    principal = uow.caller
    member = await uow.members.get(principal.org_id, principal.user_id)
    org = await uow.organizations.get(principal.org_id)
    if member is None or org is None:
        raise NotFound("The account no longer exists.")
    return member, org
