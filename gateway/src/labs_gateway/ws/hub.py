"""This replica's sockets, and the NATS subscriptions that feed them.

Domain events arrive on core NATS (`labs.*.v1.>`; JetStream streams deliver to core subscribers
too, and live updates need no replay), presence and typing on `labs.live.>`. Each is decoded once
and offered to the sockets of its organization that want it and may see it (the visibility
policy), rendered once per view. Project events also keep client-role sockets' project sets
current, so a client's new project reaches its sockets at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import structlog
from google.protobuf import json_format
from nats.aio.client import Client as Nats
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2 as identity_events
from labs_gateway.financials import FinancialsLevels
from labs_gateway.ws import collector
from labs_gateway.ws.connection import Connection
from labs_gateway.ws.events import EventView, load_event_types
from labs_gateway.ws.gc_pauses import GcPauses
from labs_gateway.ws.handshake import CLOSE_UNAUTHENTICATED
from labs_gateway.ws.presence import LIVE_PREFIX, ORIGIN_HEADER, LiveSubject

log = structlog.get_logger("labs.gateway.ws")

EVENTS_SUBJECT = "labs.*.v1.>"
PROJECT = "labs.projects.v1.Project"
SESSION_REVOKED = ("identity", "session.revoked")
# The organization's settings changed: its financials level may have (financials.py).
ORGANIZATION_CHANGED = {("identity", "organization.created"), ("identity", "organization.updated")}


class Hub:
    def __init__(self, nats: Nats | None, financials: FinancialsLevels | None = None, *,
                 gc_tuning: bool = True, gc_pauses: GcPauses | None = None,
                 changed: Callable[[str, str], None] | None = None) -> None:
        """`gc_tuning`: collector.tune() at start; `gc_pauses`: timed (benchmarks only);
        `changed(org_id, source)` is told of every event: its organization and the service
        that announced it (the read cache's)."""
        self._nats = nats
        self._financials = financials
        self._changed = changed
        self._by_org: dict[str, set[Connection]] = defaultdict(set)
        self._subscriptions: list[Subscription] = []
        self._gc_tuning = gc_tuning
        self._gc_pauses = gc_pauses

    async def start(self) -> None:
        if self._gc_pauses is not None:
            self._gc_pauses.install()
        if self._nats is None:
            return
        load_event_types()
        # Start-up is over: freeze what it built (collector.py).
        collector.tune(self._gc_tuning)
        self._subscriptions = [
            await self._nats.subscribe(EVENTS_SUBJECT, cb=self._on_event),
            await self._nats.subscribe(f"{LIVE_PREFIX}.>", cb=self._on_live),
        ]
        await self._nats.flush()  # the server has the interest before we say we are ready

    async def stop(self) -> None:
        for subscription in self._subscriptions:
            try:
                await subscription.unsubscribe()
            except Exception as error:  # the connection may be gone already
                log.debug("ws.unsubscribe_failed", error=str(error))
        self._subscriptions = []
        if self._gc_pauses is not None:
            await self._gc_pauses.uninstall()

    def attach(self, connection: Connection) -> None:
        self._by_org[connection.org_id].add(connection)

    def detach(self, connection: Connection) -> None:
        sockets = self._by_org.get(connection.org_id)
        if sockets is not None:
            sockets.discard(connection)
            if not sockets:
                del self._by_org[connection.org_id]

    def connection_count(self) -> int:
        return sum(len(sockets) for sockets in self._by_org.values())

    async def _on_event(self, msg: Msg) -> None:
        envelope = envelope_pb2.Envelope()
        try:
            envelope.ParseFromString(msg.data)
        except Exception:
            log.warning("ws.undecodable_event", subject=msg.subject)
            return
        if (envelope.source, envelope.type) in ORGANIZATION_CHANGED:
            self._heard_organization(envelope)
        if self._changed is not None:
            self._changed(envelope.org_id, envelope.source)
        sockets = self._by_org.get(envelope.org_id)
        if not sockets:
            return
        try:
            if (envelope.source, envelope.type) == SESSION_REVOKED:
                _end_revoked_session(envelope, sockets)
                return
            view = EventView.of(envelope)
            if view is None:
                return
            _track_client_projects(view, sockets)
            for connection in list(sockets):
                reader = connection.reader
                if (connection.wants_event(envelope.project_id, view.client_id)
                        and view.visible_to(reader)):
                    connection.offer(view.text_for(reader), view.frame_for(reader))
        except Exception:
            log.exception("ws.event_mapping_failed", subject=msg.subject, event_id=envelope.id)

    def _heard_organization(self, envelope) -> None:
        settings = _settings_of(envelope)
        if settings is not None and self._financials is not None:
            self._financials.heard(envelope.org_id, settings)

    async def _on_live(self, msg: Msg) -> None:
        subject = LiveSubject.parse(msg.subject)
        sockets = self._by_org.get(subject.org_id) if subject else None
        if not subject or not sockets:
            return
        origin = (msg.headers or {}).get(ORIGIN_HEADER)
        text = msg.data.decode()
        for connection in list(sockets):
            if subject.project_id not in connection.rooms:
                continue
            if connection.id == origin:
                continue  # a socket is not told about its own arrival, departure or typing
            connection.offer(text)


def _track_client_projects(view: EventView, sockets: set[Connection]) -> None:
    """A project event says whose project it is now: add it to (or drop it from) the project set
    of every client-role socket of the organization."""
    project = view.object
    if project is None or project.DESCRIPTOR.full_name != PROJECT:
        return
    for connection in sockets:
        if connection.is_client:
            if project.client_id and project.client_id == str(connection.principal.client_id):
                connection.client_projects.add(project.id)
            else:
                connection.client_projects.discard(project.id)


def _settings_of(envelope) -> dict | None:
    for kind in (identity_events.OrganizationCreated, identity_events.OrganizationUpdated):
        event = kind()
        if envelope.payload.Is(event.DESCRIPTOR) and envelope.payload.Unpack(event):
            return json_format.MessageToDict(event.organization.settings)
    return None


def _end_revoked_session(envelope, sockets: set[Connection]) -> None:
    """Logout, a password change or a removal ends the session's sockets too, not only its
    next requests: they close with 4401, as an unauthenticated socket does."""
    revoked = identity_events.SessionRevoked()
    if not envelope.payload.Unpack(revoked) or not revoked.session_id:
        return
    for connection in list(sockets):
        if str(connection.principal.session_id or "") == revoked.session_id:
            connection.end(CLOSE_UNAUTHENTICATED, "The session ended; sign in again.")
