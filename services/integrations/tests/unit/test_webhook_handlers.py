"""Outgoing webhooks' handlers against in-memory repositories: roles, the secret shown once and
sealed, the org's limit, other orgs' endpoints as NOT_FOUND, deletion dropping pending
deliveries, redelivery; and the fan-out: the filter, the creator as the reader (a member sees no
cost rate and no one else's entries; a removed creator gets nothing), one delivery per event."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from labs.events.v1 import envelope_pb2
from labs.time.v1 import events_pb2 as time_events
from labs_common.auth.roles import Role
from labs_common.db.uow import Scope
from labs_common.errors import Conflict, InvalidArgument, NotFound, PermissionDenied
from labs_common.testing.fakes import FakeUnitOfWork, a_caller
from labs_integrations.adapters.vault import Vault, VaultError
from labs_integrations.domain.read_model import KnownMember
from labs_integrations.domain.webhook_commands import (
    CreateWebhookEndpoint,
    DeleteWebhookEndpoint,
    ListWebhookDeliveries,
    ListWebhookEndpoints,
    RedeliverWebhook,
)
from labs_integrations.domain.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from labs_integrations.entrypoints.webhook_consumers import has_endpoints
from labs_integrations.service_layer import webhook_endpoints as handlers
from labs_integrations.service_layer.webhook_endpoints import secret_aad
from labs_integrations.service_layer.webhook_fanout import fan_out


class FakeWebhookEndpoints:
    def __init__(self, org_id: uuid.UUID | None) -> None:
        self.org_id = org_id
        self.rows: dict[uuid.UUID, WebhookEndpoint] = {}
        self.sealed: dict[uuid.UUID, bytes] = {}

    async def add(self, endpoint: WebhookEndpoint, sealed_secret: bytes) -> WebhookEndpoint:
        stored = replace(endpoint, created_at=datetime.now(UTC))
        self.rows[stored.id] = stored
        self.sealed[stored.id] = sealed_secret
        return stored

    def _mine(self) -> list[WebhookEndpoint]:
        return [e for e in self.rows.values() if e.org_id == self.org_id and e.deleted_at is None]

    async def get(self, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
        return next((e for e in self._mine() if e.id == endpoint_id), None)

    async def live_count(self) -> int:
        return len(self._mine())

    async def any_live(self) -> bool:
        return bool(self._mine())

    async def live(self) -> list[WebhookEndpoint]:
        return sorted(self._mine(), key=lambda e: (e.created_at, e.id))

    async def page(self, after, limit: int) -> list[WebhookEndpoint]:
        found = [e for e in await self.live() if after is None or (e.created_at, e.id) > after]
        return found[:limit + 1]

    async def delete(self, endpoint_id: uuid.UUID) -> bool:
        found = await self.get(endpoint_id)
        if found is None:
            return False
        self.rows[endpoint_id] = replace(found, deleted_at=datetime.now(UTC))
        return True


class FakeWebhookDeliveries:
    def __init__(self, org_id: uuid.UUID | None) -> None:
        self.org_id = org_id
        self.rows: dict[uuid.UUID, WebhookDelivery] = {}

    async def add_if_absent(self, delivery: WebhookDelivery) -> bool:
        if any(d.endpoint_id == delivery.endpoint_id and d.event_id == delivery.event_id
               for d in self.rows.values()):
            return False
        self.rows[delivery.id] = delivery
        return True

    async def get(self, endpoint_id, delivery_id, *, lock: bool = False):
        found = self.rows.get(delivery_id)
        if found is None or found.org_id != self.org_id or found.endpoint_id != endpoint_id:
            return None
        return found

    async def page(self, endpoint_id, before, limit: int) -> list[WebhookDelivery]:
        mine = sorted((d for d in self.rows.values()
                       if d.org_id == self.org_id and d.endpoint_id == endpoint_id),
                      key=lambda d: (d.created_at, d.id), reverse=True)
        return [d for d in mine if before is None or (d.created_at, d.id) < before][:limit + 1]

    async def redeliver(self, delivery_id: uuid.UUID) -> WebhookDelivery:
        again = replace(self.rows[delivery_id], status=DeliveryStatus.PENDING,
                        next_attempt_at=datetime.now(UTC))
        self.rows[delivery_id] = again
        return again

    async def drop_pending(self, endpoint_id: uuid.UUID) -> int:
        dropped = [d.id for d in self.rows.values() if d.org_id == self.org_id
                   and d.endpoint_id == endpoint_id and d.status is DeliveryStatus.PENDING]
        for delivery_id in dropped:
            del self.rows[delivery_id]
        return len(dropped)


class FakeKnownMembers:
    def __init__(self, org_id: uuid.UUID | None) -> None:
        self.org_id = org_id
        self.rows: dict[tuple[uuid.UUID, uuid.UUID], KnownMember] = {}

    def add(self, user_id: uuid.UUID, role: str, *, active: bool = True) -> KnownMember:
        member = KnownMember(org_id=self.org_id, user_id=user_id,  # type: ignore[arg-type]
                             email=f"{user_id.hex[:8]}@example.com", name="Someone", role=role,
                             active=active, as_of=datetime.now(UTC))
        self.rows[(member.org_id, user_id)] = member
        return member

    async def get(self, user_id: uuid.UUID) -> KnownMember | None:
        return self.rows.get((self.org_id, user_id))  # type: ignore[arg-type]

    async def heard(self, member: KnownMember) -> None:
        known = self.rows.get((member.org_id, member.user_id))
        if known is None or known.as_of <= member.as_of:
            self.rows[(member.org_id, member.user_id)] = member


class FakeWebhooksUnitOfWork(FakeUnitOfWork):
    def _start(self) -> None:
        org = self.scope.org_id
        self.webhook_endpoints = FakeWebhookEndpoints(org)
        self.webhook_deliveries = FakeWebhookDeliveries(org)
        self.known_members = FakeKnownMembers(org)


VAULT = Vault.from_settings("", "test")
URL = "https://hooks.example.com/labs"


def uow_for(role: Role = Role.ADMIN, org_id: uuid.UUID | None = None) -> FakeWebhooksUnitOfWork:
    return FakeWebhooksUnitOfWork(caller=a_caller(role, org_id=org_id))


async def create(uow, events=("*",), url: str = URL) -> WebhookEndpoint:
    return await handlers.create_endpoint(CreateWebhookEndpoint(url, tuple(events)), uow,
                                          vault=VAULT)


async def test_an_admin_creates_an_endpoint_whose_secret_is_shown_once_and_stored_sealed():
    uow = uow_for(Role.ADMIN)
    endpoint = await create(uow, ["task:updated"])
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    assert endpoint.events == ("task:updated",) and endpoint.created_by == uow.caller.user_id
    sealed = uow.webhook_endpoints.sealed[endpoint.id]
    assert endpoint.secret.encode() not in sealed
    assert VAULT.open(sealed, secret_aad(endpoint.org_id, endpoint.id)) == endpoint.secret.encode()
    with pytest.raises(VaultError):  # bound to its row: another endpoint's aad does not open it
        VAULT.open(sealed, secret_aad(endpoint.org_id, uuid.uuid4()))
    (listed,) = await handlers.list_endpoints(ListWebhookEndpoints(None, 50), uow)
    assert listed.secret == ""


async def test_a_creator_the_read_model_has_not_heard_of_yet_is_noted_as_their_token_says():
    uow = uow_for(Role.ADMIN)
    await create(uow)
    noted = await uow.known_members.get(uow.caller.user_id)
    assert (noted.role, noted.active, noted.as_of.year) == ("admin", True, 1970)
    # Known already: left as identity's events made it.
    uow = uow_for(Role.OWNER)
    heard = uow.known_members.add(uow.caller.user_id, "owner")
    await create(uow)
    assert await uow.known_members.get(uow.caller.user_id) == heard


@pytest.mark.parametrize("role", [Role.MANAGER, Role.MEMBER, Role.VIEWER, Role.CLIENT])
async def test_below_admin_nobody_creates_deletes_or_redelivers(role):
    uow = uow_for(role)
    with pytest.raises(PermissionDenied):
        await create(uow)
    with pytest.raises(PermissionDenied):
        await handlers.delete_endpoint(DeleteWebhookEndpoint(uuid.uuid4()), uow)
    with pytest.raises(PermissionDenied):
        await handlers.redeliver(RedeliverWebhook(uuid.uuid4(), uuid.uuid4()), uow)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER, Role.CLIENT])
async def test_below_manager_nobody_lists_endpoints_or_deliveries(role):
    uow = uow_for(role)
    with pytest.raises(PermissionDenied):
        await handlers.list_endpoints(ListWebhookEndpoints(None, 50), uow)
    with pytest.raises(PermissionDenied):
        await handlers.list_deliveries(ListWebhookDeliveries(uuid.uuid4(), None, 50), uow)


async def test_a_manager_lists_endpoints_and_deliveries():
    admin = uow_for(Role.ADMIN)
    endpoint = await create(admin)
    manager = FakeWebhooksUnitOfWork(caller=a_caller(Role.MANAGER, org_id=admin.caller.org_id))
    manager.webhook_endpoints, manager.webhook_deliveries = (admin.webhook_endpoints,
                                                             admin.webhook_deliveries)
    assert [e.id for e in await handlers.list_endpoints(ListWebhookEndpoints(None, 50),
                                                        manager)] == [endpoint.id]
    assert await handlers.list_deliveries(ListWebhookDeliveries(endpoint.id, None, 50),
                                          manager) == []


async def test_bad_urls_and_events_are_refused_and_an_org_has_at_most_20():
    uow = uow_for()
    with pytest.raises(InvalidArgument):
        await create(uow, url="ftp://example.com/x")
    with pytest.raises(InvalidArgument):
        await create(uow, events=[])
    for _ in range(20):
        await create(uow)
    with pytest.raises(Conflict):
        await create(uow)


async def test_another_orgs_endpoint_is_not_found():
    mine = uow_for()
    endpoint = await create(mine)
    other = uow_for()
    other.webhook_endpoints.rows = mine.webhook_endpoints.rows
    for attempt in (handlers.delete_endpoint(DeleteWebhookEndpoint(endpoint.id), other),
                    handlers.list_deliveries(ListWebhookDeliveries(endpoint.id, None, 50), other),
                    handlers.redeliver(RedeliverWebhook(endpoint.id, uuid.uuid4()), other)):
        with pytest.raises(NotFound):
            await attempt


def _delivery(endpoint: WebhookEndpoint, status=DeliveryStatus.PENDING) -> WebhookDelivery:
    now = datetime.now(UTC)
    return WebhookDelivery(id=uuid.uuid4(), org_id=endpoint.org_id, endpoint_id=endpoint.id,
                           event_id=uuid.uuid4(), event_type="task:updated", body="{}",
                           status=status, created_at=now, next_attempt_at=now, give_up_at=now)


async def test_deleting_an_endpoint_drops_its_pending_deliveries_and_hides_it():
    uow = uow_for()
    endpoint = await create(uow)
    pending, done = _delivery(endpoint), _delivery(endpoint, DeliveryStatus.SUCCEEDED)
    for delivery in (pending, done):
        await uow.webhook_deliveries.add_if_absent(delivery)
    await handlers.delete_endpoint(DeleteWebhookEndpoint(endpoint.id), uow)
    assert set(uow.webhook_deliveries.rows) == {done.id}
    assert await handlers.list_endpoints(ListWebhookEndpoints(None, 50), uow) == []
    with pytest.raises(NotFound):
        await handlers.delete_endpoint(DeleteWebhookEndpoint(endpoint.id), uow)


async def test_redelivering_puts_the_same_delivery_back_to_pending_and_wakes_the_worker():
    uow = uow_for()
    endpoint = await create(uow)
    failed = replace(_delivery(endpoint, DeliveryStatus.FAILED), attempts=7)
    await uow.webhook_deliveries.add_if_absent(failed)
    woken = []
    again = await handlers.redeliver(RedeliverWebhook(endpoint.id, failed.id), uow,
                                     wake=lambda: woken.append(1))
    assert (again.id, again.status, again.attempts, again.body) == (
        failed.id, DeliveryStatus.PENDING, 7, failed.body)
    assert woken == [1]
    with pytest.raises(NotFound):
        await handlers.redeliver(RedeliverWebhook(endpoint.id, uuid.uuid4()), uow)


# --- the fan-out ------------------------------------------------------------------------------

def entry_event(org_id: uuid.UUID, user_id: uuid.UUID, verb: str = "created"
                ) -> envelope_pb2.Envelope:
    payload = time_events.EntryChanged(entry_id=str(uuid.uuid4()), user_id=str(user_id),
                                       hours="2.5", cost_rate="40.00", billable_rate="120.00")
    payload.entry.id = payload.entry_id
    payload.entry.user_id = str(user_id)
    payload.entry.hours = "2.5"
    payload.entry.cost_rate = "40.00"
    payload.entry.billable_rate = "120.00"
    envelope = envelope_pb2.Envelope(id=str(uuid.uuid4()), type=f"entry.{verb}", source="time",
                                     org_id=str(org_id), project_id=str(uuid.uuid4()),
                                     actor_id=str(user_id))
    envelope.occurred_at.FromDatetime(datetime.now(UTC))
    envelope.payload.Pack(payload)
    return envelope


async def endpoint_made_by(uow, role: str, events=("*",), *, active: bool = True
                           ) -> WebhookEndpoint:
    creator = uuid.uuid4()
    uow.known_members.add(creator, role, active=active)
    endpoint = WebhookEndpoint(id=uuid.uuid4(), org_id=uow.scope.org_id, url=URL,
                               events=tuple(events), created_by=creator)
    return await uow.webhook_endpoints.add(endpoint, b"sealed")


def consumer_uow(org_id: uuid.UUID) -> FakeWebhooksUnitOfWork:
    return FakeWebhooksUnitOfWork(Scope(org_id=org_id))


async def test_an_event_becomes_one_delivery_per_matching_endpoint_rendered_as_the_socket_does():
    org = uuid.uuid4()
    uow = consumer_uow(org)
    admin_all = await endpoint_made_by(uow, "admin")
    admin_entries = await endpoint_made_by(uow, "owner", ["time:entry:created"])
    await endpoint_made_by(uow, "admin", ["task:updated"])  # does not hear it
    woken = []
    envelope = entry_event(org, uuid.uuid4())
    assert await fan_out(envelope, uow, retry_seconds=60, wake=lambda: woken.append(1)) == 2
    deliveries = {d.endpoint_id: d for d in uow.webhook_deliveries.rows.values()}
    assert set(deliveries) == {admin_all.id, admin_entries.id}
    body = json.loads(deliveries[admin_all.id].body)
    assert body["type"] == "time:entry:created" and body["id"] == envelope.id
    assert body["data"]["cost_rate"] == "40.00" and body["data"]["hours"] == 2.5
    assert body["data"]["project_id"] == envelope.project_id
    delivery = deliveries[admin_all.id]
    assert delivery.status is DeliveryStatus.PENDING and delivery.event_type == "time:entry:created"
    assert (delivery.give_up_at - delivery.created_at).total_seconds() == 60
    assert woken == [1]
    # The same event again (NATS redelivered it): nothing more.
    assert await fan_out(envelope, uow, retry_seconds=60) == 0
    assert len(uow.webhook_deliveries.rows) == 2


async def test_a_member_creator_gets_own_entries_without_cost_rate_and_not_others():
    org = uuid.uuid4()
    uow = consumer_uow(org)
    endpoint = await endpoint_made_by(uow, "member")
    assert await fan_out(entry_event(org, uuid.uuid4()), uow, retry_seconds=60) == 0
    assert await fan_out(entry_event(org, endpoint.created_by), uow, retry_seconds=60) == 1
    (delivery,) = uow.webhook_deliveries.rows.values()
    data = json.loads(delivery.body)["data"]
    assert "cost_rate" not in data and data["billable_rate"] == "120.00"


@pytest.mark.parametrize("state", ["removed", "client", "unknown"])
async def test_a_creator_who_left_or_is_a_client_gets_nothing(state):
    org = uuid.uuid4()
    uow = consumer_uow(org)
    endpoint = await endpoint_made_by(uow, "client" if state == "client" else "admin",
                                      active=state != "removed")
    if state == "unknown":
        uow.known_members.rows.clear()
    assert await fan_out(entry_event(org, endpoint.created_by), uow, retry_seconds=60) == 0
    assert uow.webhook_deliveries.rows == {}


async def test_events_without_an_org_or_without_endpoints_make_nothing():
    org = uuid.uuid4()
    uow = consumer_uow(org)
    assert await fan_out(entry_event(org, uuid.uuid4()), uow, retry_seconds=60) == 0
    await endpoint_made_by(uow, "admin")
    platform_wide = entry_event(org, uuid.uuid4())
    platform_wide.org_id = ""
    assert await fan_out(platform_wide, uow, retry_seconds=60) == 0



async def test_only_events_of_an_org_with_a_live_endpoint_are_claimed_and_fanned_out():
    org = uuid.uuid4()
    uow = consumer_uow(org)
    event = entry_event(org, uuid.uuid4())
    assert not await has_endpoints(event, uow)
    endpoint = await endpoint_made_by(uow, "admin")
    assert await has_endpoints(event, uow)
    event.org_id = ""
    assert not await has_endpoints(event, uow)
    event.org_id = str(org)
    await uow.webhook_endpoints.delete(endpoint.id)
    assert not await has_endpoints(event, uow)
