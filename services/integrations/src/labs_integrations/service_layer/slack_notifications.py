"""Slack notifications: an event that is news (a task assigned, a sprint started or ended, an
invoice issued or paid, an alert its subscription sends to Slack, a deploy) becomes a
slack_messages row in the consumer's own transaction; the sender (service_layer/slack_sender.py)
posts it afterwards.

Where: the project's `slack_channel_id`, else the connection's `default_channel`; an alert, whose
record only its owner reads, goes to that member as a direct message. Alerts come as
`alert.slack_requested` (an AlertRaised for a subscription whose delivery_method is slack, the
counterpart of `alert.mail_requested`): `alert.raised` is the in-app delivery and is not sent
to Slack, so Slack follows the subscriptions.

Who reads it: a channel is read by people, so it is shown through the one visibility policy, as
the WebSocket shows events (labs_gateway.ws.events.EventView): the channel's audience is a
Reader of the role the connection's `audience` setting names (default "member"; a management
channel may say "manager"). An event that reader may not read is not posted, and the text is
rendered only from the object as REST shows it to that reader (hidden fields are absent, so
they cannot be written)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from labs.events.v1 import envelope_pb2
from labs_common.auth.roles import Role
from labs_common.events.payloads import message_json
from labs_common.visibility import Reader, redact_json
from labs_gateway.ws.events import EventView
from labs_integrations.domain.connections import Connection, Platform
from labs_integrations.domain.slack import AUDIENCES, DEFAULT_AUDIENCE, GIVE_UP_AFTER

ALERT_FOR_SLACK = "alert.slack_requested"
# The events Slack announces, by (source, type).
NOTIFIED = {
    ("projects", "task.created"), ("projects", "task.updated"),
    ("projects", "sprint.created"), ("projects", "sprint.updated"),
    ("billing", "invoice.issued"), ("billing", "invoice.paid"),
    # An alert whose subscription asks for Slack (alert.raised is the in-app one, as
    # alert.mail_requested is the email one): forecasting's to publish.
    ("forecasting", ALERT_FOR_SLACK),
    ("integrations", "github.deployed"),
}
SLACK_SENDER = "slack_messages"


def audience_of(connection: Connection) -> Role | None:
    """The role a channel's readers are taken to have; None (post nothing) for a setting that
    names no staff role."""
    value = str((connection.settings or {}).get("audience") or DEFAULT_AUDIENCE).lower()
    return Role(value) if value in AUDIENCES else None


def channel_reader(connection: Connection) -> Reader | None:
    role = audience_of(connection)
    return Reader(role=role, user_id="") if role is not None else None


def _hours(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _money(data: dict, field: str) -> str:
    amount = data.get(field)
    return f"{amount} {data.get('currency', '')}".strip() if amount not in (None, "") else ""


def news(view: EventView) -> str | None:
    """What kind of news the event is ("task.assigned", "sprint.started", ...), None when it
    is none (a task updated without a new assignee, a sprint renamed)."""
    source, kind = view.envelope.source, view.envelope.type
    payload = view.payload
    if (source, kind) not in NOTIFIED or payload is None:
        return None
    if kind in ("task.created", "task.updated"):
        changed = set(getattr(payload, "changed_fields", ()) or ())
        if payload.task.assignee_id and (kind == "task.created" or "assignee_id" in changed):
            return "task.assigned"
        return None
    if kind in ("sprint.created", "sprint.updated"):
        changed = set(getattr(payload, "changed_fields", ()) or ())
        if kind == "sprint.updated" and "status" not in changed:
            return None
        status = payload.sprint.status
        if status == 2:  # SPRINT_STATUS_ACTIVE
            return "sprint.started"
        if status == 3 and kind == "sprint.updated":  # SPRINT_STATUS_COMPLETED
            return "sprint.ended"
        return None
    if kind == ALERT_FOR_SLACK:
        return "alert"
    return kind


def render(kind: str, data: dict[str, Any], *, project_name: str = "",
           assignee_name: str = "") -> str:
    """The message, from the object as the reader may see it (`data`, EventView.data_for)."""
    where = f" in *{project_name}*" if project_name else ""
    if kind == "task.assigned":
        who = assignee_name or "someone"
        return f":pushpin: Task assigned to {who}{where}: *{data.get('title', '')}*"
    if kind == "sprint.started":
        return f":runner: Sprint *{data.get('name', '')}* started{where}" + (
            f" (until {data['end_date']})" if data.get("end_date") else "")
    if kind == "sprint.ended":
        return f":checkered_flag: Sprint *{data.get('name', '')}* ended{where}"
    if kind in ("invoice.issued", "invoice.paid"):
        number = data.get("number") or "draft"
        client = data.get("client_name") or ""
        verb = "issued" if kind == "invoice.issued" else "paid"
        amount = _money(data, "total")
        return (f":receipt: Invoice {number} {verb}" + (f" to {client}" if client and
                                                        verb == "issued" else "")
                + (f" by {client}" if client and verb == "paid" else "") + where
                + (f": {amount}" if amount else ""))
    if kind == "alert":
        return f":warning: {data.get('message') or 'A new alert'}{where}"
    if kind == "github.deployed":
        repository = data.get("repository", "")
        environment = data.get("environment") or "production"
        state = data.get("state") or "success"
        icon = ":rocket:" if state == "success" else ":x:"
        return (f"{icon} Deploy completed: {repository} to {environment} ({state}){where}"
                + (f" {data['url']}" if data.get("url") else ""))
    return kind


def shown_to(view: EventView, reader: Reader) -> dict[str, Any]:
    """The object as REST shows it to `reader`; an object REST's model cannot take (a field
    it does not know yet) as its message with the same fields withheld."""
    try:
        return view.data_for(reader)
    except ValueError:
        shown = view.object if view.object is not None else view.payload
        assert shown is not None
        return redact_json(shown.DESCRIPTOR, message_json(shown), reader)


async def notify(envelope: envelope_pb2.Envelope, uow, *,
                 wake: Callable[[], None] = lambda: None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> int:
    """Queues the event's Slack message(s); answers how many were queued."""
    view = EventView.of(envelope, requests=envelope.type == ALERT_FOR_SLACK)
    if view is None:
        return 0
    kind = news(view)
    if kind is None:
        return 0
    found = await uow.connections.of_platform(Platform.SLACK)
    if found is None:
        return 0
    connection, _sealed = found
    project = None
    project_id = envelope.project_id or str(getattr(view.object, "project_id", "") or "")
    if not project_id and kind == "github.deployed":
        linked = [p for p in await uow.known_projects.linked_to(view.payload.repository)
                  if str(p.org_id) == envelope.org_id]
        project = linked[0] if linked else None
    elif project_id:
        project = await uow.known_projects.get(uuid.UUID(project_id))
    extras: dict[str, str] = {"project_name": project.name if project else ""}

    if kind == "alert":  # only its owner reads it: a direct message to them
        owner = view.owner_id
        member = await uow.known_members.get(uuid.UUID(owner)) if owner else None
        if member is None or not member.active:
            return 0
        reader = Reader(role=Role(member.role), user_id=str(member.user_id))
        if not view.visible_to(reader):
            return 0
        text = render(kind, shown_to(view, reader), **extras)
        queued = await uow.slack_messages.queue(
            dedupe_key=f"{envelope.id}:dm:{member.user_id}", dm_email=member.email, text=text,
            now=now(), give_up_after=GIVE_UP_AFTER)
    else:
        channel = (project.slack_channel_id if project else None) or \
            (connection.settings or {}).get("default_channel")
        reader = channel_reader(connection)
        if not channel or reader is None or not view.visible_to(reader):
            return 0
        data = shown_to(view, reader)
        if kind == "task.assigned" and data.get("assignee_id"):
            assignee = await uow.known_members.get(uuid.UUID(str(data["assignee_id"])))
            extras["assignee_name"] = assignee.name if assignee else ""
        text = render(kind, data, **extras)
        queued = await uow.slack_messages.queue(
            dedupe_key=f"{envelope.id}:{channel}", channel=str(channel), text=text, now=now(),
            give_up_after=GIVE_UP_AFTER)
    if queued:
        wake()
    return int(queued)
