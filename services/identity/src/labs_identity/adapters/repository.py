"""SQLAlchemy repositories of identity's aggregates. Identity's transactions are often system ones
(sign-up and sign-in come before any tenant), so these repositories take the org per call where
they need it, instead of binding it like labs_common.db.repository.OrgScopedRepository."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import Select, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.engine import Row

from labs_common.auth.roles import Role
from labs_common.db.repository import TableRepository, from_row
from labs_identity.adapters.orm import (
    api_keys,
    invitations,
    login_failures,
    organizations,
    password_resets,
    refresh_tokens,
    users,
)
from labs_identity.domain.model import (
    ApiKey,
    Invitation,
    Member,
    Organization,
    PasswordReset,
    Profile,
    RefreshToken,
)
from labs_identity.domain.throttle import Attempts


# Built once, run with parameters: the statements of the member and org look-ups every request
# makes, and of a role change (building one costs SQLAlchemy more than running it).
def _with_lock(query: Select) -> dict[bool, Select]:
    return {False: query, True: query.with_for_update()}


_ORGANIZATION = _with_lock(select(organizations).where(organizations.c.id == bindparam("p_org")))
_MEMBER = _with_lock(select(users).where(
    users.c.org_id == bindparam("p_org"), users.c.id == bindparam("p_id"),
    users.c.removed_at.is_(None)))
_OWNERS_LOCKED = select(users.c.id).where(
    users.c.org_id == bindparam("p_org"), users.c.role == Role.OWNER.value,
    users.c.removed_at.is_(None)).with_for_update()
_SET_ROLE = update(users).where(users.c.id == bindparam("p_id")).values(
    role=bindparam("p_role"), client_id=bindparam("p_client"))

class SqlAlchemyOrganizationRepository(TableRepository):
    table = organizations

    async def add(self, org: Organization) -> None:
        await self._insert_row(org)

    async def get(self, org_id: uuid.UUID, *, for_update: bool = False) -> Organization | None:
        row = (await self._session.execute(_ORGANIZATION[for_update], {"p_org": org_id})).first()
        return _organization(row) if row else None

    async def save(self, org: Organization) -> Organization:
        return _organization(await self._save_row(org))


class SqlAlchemyMemberRepository(TableRepository):
    table = users

    async def add(self, member: Member) -> None:
        await self._session.execute(
            insert(users).values(
                id=member.id,
                org_id=member.org_id,
                email=member.email,
                password_hash=member.password_hash,
                first_name=member.first_name,
                last_name=member.last_name,
                role=member.role.value,
                client_id=member.client_id,
            )
        )

    async def get(
        self, org_id: uuid.UUID, user_id: uuid.UUID, *, for_update: bool = False
    ) -> Member | None:
        row = (
            await self._session.execute(_MEMBER[for_update], {"p_org": org_id, "p_id": user_id})
        ).first()
        return _member(row) if row else None

    async def by_email(self, org_id: uuid.UUID, email: str) -> Member | None:
        row = (
            await self._session.execute(
                select(users).where(
                    users.c.org_id == org_id, users.c.email == email, users.c.removed_at.is_(None)
                )
            )
        ).first()
        return _member(row) if row else None

    async def everywhere_by_email(self, email: str) -> list[tuple[Member, str]]:
        """Active members with this email in any org, with the org's name (sign-in only)."""
        rows = (
            await self._session.execute(
                select(users, organizations.c.name.label("org_name"))
                .join(organizations, organizations.c.id == users.c.org_id)
                .where(users.c.email == email, users.c.removed_at.is_(None))
                .order_by(users.c.created_at)
            )
        ).all()
        return [(_member(row), row.org_name) for row in rows]

    async def page(
        self, org_id: uuid.UUID, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> list[Member]:
        query = select(users).where(users.c.org_id == org_id, users.c.removed_at.is_(None))
        if after:
            query = query.where((users.c.created_at, users.c.id) > after)
        rows = (
            await self._session.execute(query.order_by(users.c.created_at, users.c.id).limit(limit))
        ).all()
        return [_member(row) for row in rows]

    async def count_owners(self, org_id: uuid.UUID) -> int:
        # Locks the owners' rows so two concurrent demotions cannot both see "two owners".
        rows = (await self._session.execute(_OWNERS_LOCKED, {"p_org": org_id})).all()
        return len(rows)

    async def set_role(self, member: Member) -> None:
        await self._session.execute(
            _SET_ROLE, {"p_id": member.id, "p_role": member.role.value,
                        "p_client": member.client_id})

    async def record_login(self, user_id: uuid.UUID, password_hash: str | None = None) -> None:
        values: dict = {"last_login_at": func.now()}
        if password_hash:
            values["password_hash"] = password_hash
        await self._session.execute(update(users).where(users.c.id == user_id).values(**values))

    async def remove(self, user_id: uuid.UUID) -> None:
        await self._session.execute(
            update(users).where(users.c.id == user_id).values(removed_at=func.now())
        )

    async def set_password(self, user_id: uuid.UUID, password_hash: str) -> None:
        await self._session.execute(
            update(users).where(users.c.id == user_id)
            .values(password_hash=password_hash, updated_at=func.now())
        )

    async def profile(
        self, org_id: uuid.UUID, user_id: uuid.UUID, *, for_update: bool = False
    ) -> Profile | None:
        query = select(users).where(
            users.c.org_id == org_id, users.c.id == user_id, users.c.removed_at.is_(None)
        )
        row = (
            await self._session.execute(query.with_for_update() if for_update else query)
        ).first()
        return _profile(row) if row else None

    async def save_profile(self, profile: Profile) -> Profile:
        row = (
            await self._session.execute(
                update(users)
                .where(users.c.id == profile.id)
                .values(
                    first_name=profile.first_name,
                    last_name=profile.last_name,
                    timezone=profile.timezone,
                    avatar_url=profile.avatar_url,
                    notification_preferences=profile.notification_preferences,
                    updated_at=func.now(),
                )
                .returning(users)
            )
        ).one()
        return _profile(row)


class SqlAlchemyRefreshTokenRepository(TableRepository):
    table = refresh_tokens

    async def add(self, token: RefreshToken, token_hash: str) -> None:
        await self._insert_row(token, token_hash=token_hash)

    async def by_hash_for_update(self, token_hash: str) -> RefreshToken | None:
        row = (
            await self._session.execute(
                select(refresh_tokens)
                .where(refresh_tokens.c.token_hash == token_hash)
                .with_for_update()
            )
        ).first()
        if row is None:
            return None
        return from_row(RefreshToken, row)

    async def mark_used(self, token_id: uuid.UUID) -> None:
        await self._session.execute(
            update(refresh_tokens).where(refresh_tokens.c.id == token_id).values(used_at=func.now())
        )

    async def revoke_family(self, family_id: uuid.UUID) -> int:
        result = await self._session.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.family_id == family_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=func.now())
        )
        return result.rowcount

    async def revoke_user(
        self, user_id: uuid.UUID, *, keep: uuid.UUID | None = None
    ) -> list[uuid.UUID]:
        """Revokes every live session of the user (but `keep`); answers their ids."""
        query = update(refresh_tokens).where(
            refresh_tokens.c.user_id == user_id, refresh_tokens.c.revoked_at.is_(None)
        )
        if keep is not None:
            query = query.where(refresh_tokens.c.family_id != keep)
        rows = (
            await self._session.execute(
                query.values(revoked_at=func.now()).returning(refresh_tokens.c.family_id)
            )
        ).all()
        return sorted({row.family_id for row in rows})


class SqlAlchemyInvitationRepository(TableRepository):
    table = invitations

    async def add(self, invitation: Invitation, token_hash: str) -> Invitation:
        return _invitation(await self._insert_row(invitation, token_hash=token_hash))

    async def by_hash_for_update(self, token_hash: str) -> Invitation | None:
        row = (
            await self._session.execute(
                select(invitations).where(invitations.c.token_hash == token_hash).with_for_update()
            )
        ).first()
        return _invitation(row) if row else None

    async def mark_accepted(self, invitation_id: uuid.UUID) -> None:
        await self._session.execute(
            update(invitations)
            .where(invitations.c.id == invitation_id)
            .values(accepted_at=func.now())
        )

    async def get(
        self, org_id: uuid.UUID, invitation_id: uuid.UUID, *, for_update: bool = False
    ) -> Invitation | None:
        query = select(invitations).where(
            invitations.c.org_id == org_id, invitations.c.id == invitation_id
        )
        row = (
            await self._session.execute(query.with_for_update() if for_update else query)
        ).first()
        return _invitation(row) if row else None

    async def pending_page(
        self, org_id: uuid.UUID, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> list[Invitation]:
        """Neither accepted nor revoked nor expired, oldest first."""
        query = select(invitations).where(
            invitations.c.org_id == org_id,
            invitations.c.accepted_at.is_(None),
            invitations.c.revoked_at.is_(None),
            invitations.c.expires_at > func.now(),
        )
        if after:
            query = query.where((invitations.c.created_at, invitations.c.id) > after)
        rows = (
            await self._session.execute(
                query.order_by(invitations.c.created_at, invitations.c.id).limit(limit)
            )
        ).all()
        return [_invitation(row) for row in rows]

    async def revoke(self, invitation_id: uuid.UUID) -> None:
        await self._session.execute(
            update(invitations)
            .where(invitations.c.id == invitation_id, invitations.c.revoked_at.is_(None))
            .values(revoked_at=func.now())
        )


class SqlAlchemyPasswordResetRepository(TableRepository):
    table = password_resets

    async def add(self, reset: PasswordReset, token_hash: str) -> None:
        await self._insert_row(reset, token_hash=token_hash)

    async def by_hash_for_update(self, token_hash: str) -> PasswordReset | None:
        row = (
            await self._session.execute(
                select(password_resets)
                .where(password_resets.c.token_hash == token_hash)
                .with_for_update()
            )
        ).first()
        if row is None:
            return None
        return from_row(PasswordReset, row)

    async def count_live(self, user_id: uuid.UUID) -> int:
        """Unused, unexpired resets of a user (a flood of requests mails only the first few)."""
        return (
            await self._session.execute(
                select(func.count()).select_from(password_resets).where(
                    password_resets.c.user_id == user_id,
                    password_resets.c.used_at.is_(None),
                    password_resets.c.expires_at > func.now(),
                )
            )
        ).scalar_one()

    async def spend_all(self, user_id: uuid.UUID) -> None:
        """Every open reset of the user is spent: one reset ends them all."""
        await self._session.execute(
            update(password_resets)
            .where(password_resets.c.user_id == user_id, password_resets.c.used_at.is_(None))
            .values(used_at=func.now())
        )


class SqlAlchemyApiKeyRepository(TableRepository):
    table = api_keys

    async def add(self, key: ApiKey, secret_hash: str) -> ApiKey:
        return _api_key(await self._insert_row(key, secret_hash=secret_hash))

    async def get(self, org_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
        row = (
            await self._session.execute(
                select(api_keys).where(api_keys.c.org_id == org_id, api_keys.c.id == key_id)
            )
        ).first()
        return _api_key(row) if row else None

    async def by_hash(self, secret_hash: str) -> ApiKey | None:
        row = (
            await self._session.execute(
                select(api_keys).where(api_keys.c.secret_hash == secret_hash)
            )
        ).first()
        return _api_key(row) if row else None

    async def page(
        self,
        org_id: uuid.UUID,
        created_by: uuid.UUID | None,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> list[ApiKey]:
        query = select(api_keys).where(api_keys.c.org_id == org_id)
        if created_by:
            query = query.where(api_keys.c.created_by == created_by)
        if after:
            query = query.where((api_keys.c.created_at, api_keys.c.id) > after)
        rows = (
            await self._session.execute(
                query.order_by(api_keys.c.created_at, api_keys.c.id).limit(limit)
            )
        ).all()
        return [_api_key(row) for row in rows]

    async def revoke(self, key_id: uuid.UUID) -> None:
        await self._session.execute(
            update(api_keys)
            .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=func.now())
        )

    async def touch(self, key_id: uuid.UUID) -> None:
        # At most once a minute per key: authentication is hot, its bookkeeping need not be.
        await self._session.execute(
            update(api_keys)
            .where(
                api_keys.c.id == key_id,
                (api_keys.c.last_used_at.is_(None))
                | (api_keys.c.last_used_at < func.now() - func.make_interval(0, 0, 0, 0, 0, 1)),
            )
            .values(last_used_at=func.now())
        )


class SqlAlchemyLoginFailureRepository:
    """Failed sign-ins per account (the digest of an email, across every organization) or per
    client address (the digest of "address:" and it)."""

    def __init__(self, session, org_id: uuid.UUID | None = None) -> None:
        self._session = session

    async def counted(self, account: str) -> tuple[Attempts | None, datetime]:
        """The account's count, locked to this transaction (so concurrent attempts are counted
        one after the other), and the database's clock. An upsert, not a read, so the row is
        there to lock even when a prune has just dropped it."""
        statement = upsert(login_failures).values(account=account, failures=0)
        statement = statement.on_conflict_do_update(
            index_elements=[login_failures.c.account],
            set_={"account": statement.excluded.account},
        ).returning(*login_failures.c, func.now().label("now"))
        row = (await self._session.execute(statement)).one()
        counted = (Attempts(row.failures, row.last_failed_at, row.locked_until)
                   if row.failures else None)
        return counted, row.now

    async def save(self, account: str, attempts: Attempts) -> None:
        await self._session.execute(
            update(login_failures).where(login_failures.c.account == account).values(
                failures=attempts.failures, last_failed_at=attempts.last_at,
                locked_until=attempts.locked_until))

    async def forget(self, account: str) -> None:
        await self._session.execute(
            delete(login_failures).where(login_failures.c.account == account))

    async def uncount(self, account: str) -> None:
        """One attempt fewer (one that proved right)."""
        await self._session.execute(
            update(login_failures).where(login_failures.c.account == account)
            .values(failures=func.greatest(login_failures.c.failures - 1, 0)))

    async def prune(self, forget_after: timedelta, limit: int = 100) -> None:
        """Drops up to `limit` accounts whose failures are forgotten anyway (a spray of
        unknown emails leaves one row each)."""
        table = login_failures
        old = (
            select(table.c.account)
            .where(table.c.last_failed_at < func.now() - forget_after,
                   func.coalesce(table.c.locked_until, func.now()) <= func.now())
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        await self._session.execute(delete(table).where(table.c.account.in_(old)))


def _organization(row: Row) -> Organization:
    return Organization(
        row.id,
        row.name,
        row.timezone,
        row.currency,
        dict(row.settings),
        row.created_at,
        row.updated_at,
    )


def _member(row: Row) -> Member:
    return from_row(Member, row, role=Role(row.role))


def _invitation(row: Row) -> Invitation:
    return from_row(Invitation, row, role=Role(row.role))


def _profile(row: Row) -> Profile:
    return from_row(Profile, row, notification_preferences=dict(row.notification_preferences))


def _api_key(row: Row) -> ApiKey:
    return from_row(ApiKey, row, role=Role(row.role))
