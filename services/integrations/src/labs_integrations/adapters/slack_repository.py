"""The Slack slice's repositories: the Slack users' emails (system), the message outbox, the
reminders sent, the time entries heard (their day), the organizations' timezones (system)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from labs_integrations.adapters.orm import connections
from labs_integrations.adapters.slack_tables import (
    known_orgs,
    logged_entries,
    slack_messages,
    slack_reminders,
    slack_users,
)

PENDING, SENT, FAILED = "pending", "sent", "failed"


# Built once (the columns come with the parameters): it runs for every time entry written.
_HEARD_ENTRY = insert(logged_entries)
_HEARD_ENTRY = _HEARD_ENTRY.on_conflict_do_update(
    index_elements=["entry_id"],
    set_={name: _HEARD_ENTRY.excluded[name] for name in ("user_id", "day", "live", "as_of")},
    where=logged_entries.c.as_of <= _HEARD_ENTRY.excluded.as_of)


@dataclass(frozen=True)
class QueuedMessage:
    id: uuid.UUID
    org_id: uuid.UUID
    dedupe_key: str
    channel: str | None
    dm_email: str | None
    text: str
    blocks: list | None
    attempts: int
    give_up_at: datetime


class _Repository:
    def __init__(self, session: AsyncSession, org_id: uuid.UUID | None = None) -> None:
        self._session = session
        self._org_id = org_id


class SqlAlchemySlackUsers(_Repository):
    """Slack user → email (any org: a workspace's users are the workspace's)."""

    async def email(self, team_id: str, user_id: str) -> str | None:
        known = await self.known(team_id, user_id)
        return None if known is None else known[0]

    async def known(self, team_id: str, user_id: str) -> tuple[str, datetime] | None:
        """The email remembered and when Slack told it, or None."""
        row = (await self._session.execute(
            select(slack_users.c.email, slack_users.c.fetched_at).where(
                slack_users.c.team_id == team_id, slack_users.c.user_id == user_id))).first()
        return None if row is None else (row.email, row.fetched_at)

    async def remember(self, team_id: str, user_id: str, email: str, now: datetime) -> None:
        statement = insert(slack_users).values(team_id=team_id, user_id=user_id,
                                               email=email.lower(), fetched_at=now)
        await self._session.execute(statement.on_conflict_do_update(
            index_elements=["team_id", "user_id"],
            set_={"email": statement.excluded.email, "fetched_at": statement.excluded.fetched_at}))


class SqlAlchemySlackMessages(_Repository):
    async def queue(self, *, dedupe_key: str, text: str, channel: str | None = None,
                    dm_email: str | None = None, blocks: list | None = None,
                    now: datetime, give_up_after: timedelta) -> bool:
        """Queues a message once per org and key; False when it was queued before."""
        statement = insert(slack_messages).values(
            id=uuid.uuid4(), org_id=self._org_id, dedupe_key=dedupe_key, channel=channel,
            dm_email=dm_email, text=text, blocks=blocks, status=PENDING, attempts=0,
            next_attempt_at=now, give_up_at=now + give_up_after)
        result = await self._session.execute(
            statement.on_conflict_do_nothing(constraint="slack_messages_dedupe")
            .returning(slack_messages.c.id))
        return result.first() is not None

    async def claim_due(self, now: datetime, limit: int, lease: timedelta
                        ) -> list[QueuedMessage]:
        """Due messages of any org (system scope), leased: not claimed again before `lease`."""
        rows = (await self._session.execute(
            select(slack_messages).where(slack_messages.c.status == PENDING,
                                         slack_messages.c.next_attempt_at <= now)
            .order_by(slack_messages.c.next_attempt_at).limit(limit)
            .with_for_update(skip_locked=True))).all()
        if rows:
            await self._session.execute(
                update(slack_messages).where(slack_messages.c.id.in_([r.id for r in rows]))
                .values(next_attempt_at=now + lease))
        return [QueuedMessage(r.id, r.org_id, r.dedupe_key, r.channel, r.dm_email, r.text,
                              r.blocks, r.attempts, r.give_up_at) for r in rows]

    async def sent(self, message_id: uuid.UUID, now: datetime) -> None:
        await self._session.execute(
            update(slack_messages).where(slack_messages.c.id == message_id)
            .values(status=SENT, sent_at=now, attempts=slack_messages.c.attempts + 1,
                    last_error=None))

    async def failed(self, message_id: uuid.UUID, error: str, next_attempt_at: datetime | None
                     ) -> None:
        """A failed attempt: retried at `next_attempt_at`, or given up when None."""
        values: dict[str, Any] = {"attempts": slack_messages.c.attempts + 1,
                                  "last_error": error[:2000]}
        if next_attempt_at is None:
            values["status"] = FAILED
        else:
            values["next_attempt_at"] = next_attempt_at
        await self._session.execute(
            update(slack_messages).where(slack_messages.c.id == message_id).values(**values))

    async def prune(self, sent_before: datetime) -> int:
        """Forgets messages sent before `sent_before` (any org: system scope); failed ones stay
        for their last_error."""
        result = await self._session.execute(
            delete(slack_messages).where(slack_messages.c.status == SENT,
                                         slack_messages.c.sent_at < sent_before))
        return result.rowcount or 0

    async def of_org(self) -> list[dict[str, Any]]:
        rows = (await self._session.execute(
            select(slack_messages).where(slack_messages.c.org_id == self._org_id)
            .order_by(slack_messages.c.created_at))).all()
        return [dict(r._mapping) for r in rows]


class SqlAlchemySlackReminders(_Repository):
    async def claim(self, day: date, recipients: int) -> bool:
        """Records the org's reminder of `day`; False when it was sent already."""
        result = await self._session.execute(
            insert(slack_reminders).values(id=uuid.uuid4(), org_id=self._org_id, day=day,
                                           recipients=recipients)
            .on_conflict_do_nothing(constraint="slack_reminders_once_a_day")
            .returning(slack_reminders.c.id))
        return result.first() is not None

    async def sent_on(self, day: date) -> bool:
        return (await self._session.execute(select(slack_reminders.c.id).where(
            slack_reminders.c.org_id == self._org_id, slack_reminders.c.day == day))
        ).first() is not None


class SqlAlchemyLoggedEntries(_Repository):
    async def heard(self, entry_id: uuid.UUID, user_id: uuid.UUID, day: date, *, live: bool,
                    as_of: datetime) -> None:
        await self._session.execute(_HEARD_ENTRY, {
            "org_id": self._org_id, "entry_id": entry_id, "user_id": user_id, "day": day,
            "live": live, "as_of": as_of})

    async def deleted(self, entry_id: uuid.UUID, as_of: datetime) -> None:
        await self._session.execute(
            update(logged_entries).where(logged_entries.c.org_id == self._org_id,
                                         logged_entries.c.entry_id == entry_id)
            .values(live=False, as_of=func.greatest(logged_entries.c.as_of, as_of)))

    async def logged_on(self, day: date) -> set[uuid.UUID]:
        """Who has at least one live entry on `day`."""
        rows = (await self._session.execute(
            select(logged_entries.c.user_id).distinct().where(
                logged_entries.c.org_id == self._org_id, logged_entries.c.day == day,
                logged_entries.c.live.is_(True)))).all()
        return {r.user_id for r in rows}


class SqlAlchemyKnownOrgs(_Repository):
    async def heard(self, org_id: uuid.UUID, timezone: str, as_of: datetime) -> None:
        statement = insert(known_orgs).values(org_id=org_id, timezone=timezone or "UTC",
                                              as_of=as_of)
        await self._session.execute(statement.on_conflict_do_update(
            index_elements=["org_id"],
            set_={"timezone": statement.excluded.timezone, "as_of": statement.excluded.as_of},
            where=known_orgs.c.as_of <= statement.excluded.as_of))

    async def timezone(self, org_id: uuid.UUID) -> str:
        found = (await self._session.execute(select(known_orgs.c.timezone).where(
            known_orgs.c.org_id == org_id))).scalar()
        return found or "UTC"

    async def with_slack(self) -> list[tuple[uuid.UUID, str]]:
        """Every org with a live Slack connection (system scope), with its timezone."""
        rows = (await self._session.execute(
            select(connections.c.org_id, func.coalesce(known_orgs.c.timezone, "UTC"))
            .select_from(connections.outerjoin(known_orgs,
                                               known_orgs.c.org_id == connections.c.org_id))
            .where(connections.c.platform == "slack", connections.c.deleted_at.is_(None),
                   connections.c.credentials.is_not(None)))).all()
        return [(r[0], r[1]) for r in rows]
