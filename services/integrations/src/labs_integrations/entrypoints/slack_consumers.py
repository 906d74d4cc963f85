"""The Slack slice's subscriptions: the news it announces (queued in the consumer's transaction,
then the sender woken), time's entries (which days are logged, for the reminder) and identity's
organizations (their timezone: "today" of a slash command and of the reminder)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2 as identity_events
from labs.time.v1 import events_pb2 as time_events
from labs_common.events.consumer import Subscription
from labs_common.events.payloads import occurred_at
from labs_integrations.service_layer.slack_notifications import NOTIFIED, SLACK_SENDER, notify
from labs_integrations.service_layer.webhook_delivery import Waker

CONSUMER = "integrations-slack"
# Time's events that carry one entry as it is now (EntryChanged).
ENTRY_EVENTS = ("entry.created", "entry.updated", "entry.started", "entry.stopped",
                "entry.submitted", "entry.approved", "entry.rejected", "entry.reopened")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


async def on_entry(envelope: envelope_pb2.Envelope, uow) -> None:
    event = time_events.EntryChanged()
    envelope.payload.Unpack(event)
    day = _day(event.date_worked or event.entry.date_worked)
    user_id = event.user_id or event.entry.user_id
    if day is None or not user_id or not event.entry_id:
        return  # a contractor's entry (no login) reminds nobody
    await uow.logged_entries.heard(uuid.UUID(event.entry_id), uuid.UUID(user_id), day,
                                   live=True, as_of=occurred_at(envelope))


async def on_entry_deleted(envelope: envelope_pb2.Envelope, uow) -> None:
    event = time_events.EntryChanged()
    envelope.payload.Unpack(event)
    if event.entry_id:
        await uow.logged_entries.deleted(uuid.UUID(event.entry_id), occurred_at(envelope))


async def on_entries_imported(envelope: envelope_pb2.Envelope, uow) -> None:
    event = time_events.EntriesImported()
    envelope.payload.Unpack(event)
    for entry_id, user_id, worked in zip(event.entry_ids, event.user_ids, event.dates_worked,
                                         strict=False):
        day = _day(worked)
        if entry_id and user_id and day is not None:
            await uow.logged_entries.heard(uuid.UUID(entry_id), uuid.UUID(user_id), day,
                                           live=True, as_of=occurred_at(envelope))


async def on_organization(envelope: envelope_pb2.Envelope, uow) -> None:
    event = (identity_events.OrganizationCreated() if envelope.type == "organization.created"
             else identity_events.OrganizationUpdated())
    envelope.payload.Unpack(event)
    organization = event.organization
    org_id = organization.id or envelope.org_id
    if org_id:
        await uow.known_orgs.heard(uuid.UUID(org_id), organization.timezone or "UTC",
                                   occurred_at(envelope))


def slack_subscriptions(wake: Callable[[str], None] = lambda _name: None
                        ) -> list[Subscription]:
    waker = Waker(lambda: wake(SLACK_SENDER))

    async def on_news(envelope: envelope_pb2.Envelope, uow) -> None:
        await notify(envelope, uow, wake=waker)

    # The read models (days logged, orgs' timezones) keep the newer state of each row: a
    # redelivered event changes nothing, so they need no inbox claim. The news does.
    return [
        *(Subscription(CONSUMER, source, kind, on_news) for source, kind in sorted(NOTIFIED)),
        *(Subscription(CONSUMER, "time", kind, on_entry, idempotent=True)
          for kind in ENTRY_EVENTS),
        Subscription(CONSUMER, "time", "entry.deleted", on_entry_deleted, idempotent=True),
        Subscription(CONSUMER, "time", "entry.imported", on_entries_imported, idempotent=True),
        Subscription(CONSUMER, "identity", "organization.created", on_organization,
                     idempotent=True),
        Subscription(CONSUMER, "identity", "organization.updated", on_organization,
                     idempotent=True),
    ]
