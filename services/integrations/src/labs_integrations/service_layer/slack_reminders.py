"""The weekday reminder (the "slack_reminders" sweeper): Monday to Friday, once the org's clock
(its timezone) passes `reminder_hour`, every active staff member who logged no time on the
previous working day gets a direct message, once a day per org (slack_reminders, one row per org
and day, claimed in the transaction that queues the messages). Who logged what comes from
time's events (logged_entries); the messages go out through the Slack outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import structlog

from labs_common.db.uow import Scope
from labs_integrations.domain import slack

log = structlog.get_logger(__name__)

REMINDERS_SWEEPER = "slack_reminders"


def reminder_text(day) -> str:
    return (f":alarm_clock: You have no time logged for {day:%A} {day.isoformat()}. "
            f"Log it with `/labs time 2h <project> <note>`.")


class ReminderWorker:
    def __init__(self, uow, *, hour: int,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 wake: Callable[[], None] = lambda: None) -> None:
        self._uow = uow
        self.hour = hour
        self.clock = clock
        self._wake = wake

    async def run_once(self) -> int:
        """Reminds the orgs that are due; answers how many messages were queued."""
        now = self.clock()
        async with self._uow(Scope.of_system()) as uow:
            orgs = await uow.known_orgs.with_slack()
        queued = 0
        for org_id, timezone in orgs:
            today = slack.reminder_due(timezone, now, self.hour)
            if today is not None:
                queued += await self.remind(org_id, today, now)
        return queued

    async def remind(self, org_id, today, now: datetime) -> int:
        previous = slack.previous_working_day(today)
        async with self._uow(Scope(org_id=org_id)) as uow:
            if await uow.slack_reminders.sent_on(today):
                return 0
            staff = [m for m in await uow.known_members.staff()
                     if m.active and m.role in slack.REMINDED_ROLES]
            logged = await uow.logged_entries.logged_on(previous)
            missing = [m for m in staff if m.user_id not in logged]
            if not await uow.slack_reminders.claim(today, len(missing)):
                return 0  # another replica did it
            for member in missing:
                await uow.slack_messages.queue(
                    dedupe_key=f"reminder:{today.isoformat()}:{member.user_id}",
                    dm_email=member.email, text=reminder_text(previous),
                    now=datetime.now(UTC),  # the outbox's clock, not the (test's) calendar
                    give_up_after=slack.GIVE_UP_AFTER)
            await uow.commit()
        log.info("slack.reminded", org_id=str(org_id), day=today.isoformat(),
                 recipients=len(missing))
        if missing:
            self._wake()
        return len(missing)
