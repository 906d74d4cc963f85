"""Linear's intake with a fake unit of work (no PostgreSQL): only a delivery signed with the
webhook secret and sent within the last minute is kept, once by its Linear-Delivery; what is not
about an issue is kept as applied and wakes nobody."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from labs_common.errors import InvalidArgument, Unauthenticated
from labs_integrations.service_layer.linear_inbox import LinearInbox

SECRET = "hook-secret"
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


class Deliveries:
    def __init__(self) -> None:
        self.kept: dict[str, dict] = {}

    async def keep(self, delivery_id, kind, action, organization_id, payload, *, applied=False):
        if delivery_id in self.kept:
            return False
        self.kept[delivery_id] = dict(type=kind, action=action, organization_id=organization_id,
                                      applied=applied, payload=payload)
        return True


class Uow:
    def __init__(self, deliveries: Deliveries) -> None:
        self.linear_deliveries = deliveries

    async def __aenter__(self):
        return self

    async def __aexit__(self, *_exc):
        return False

    async def commit(self) -> None:
        pass


def body(sent: datetime = NOW, **changes) -> bytes:
    payload = {"action": "create", "type": "Issue", "organizationId": "org-1",
               "data": {"id": "i1", "title": "Login breaks"},
               "webhookTimestamp": int(sent.timestamp() * 1000), **changes}
    return json.dumps(payload).encode()


def sign(raw: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


@pytest.fixture
def inbox():
    deliveries = Deliveries()
    woken: list[int] = []
    found = LinearInbox(lambda _scope: Uow(deliveries), None, SECRET, None,
                        wake=lambda: woken.append(1), clock=lambda: NOW)
    found.deliveries, found.woken = deliveries, woken
    return found


async def test_a_signed_fresh_delivery_is_kept_once_and_wakes_the_worker(inbox):
    raw = body()
    assert await inbox.receive(raw, sign(raw), "d-1") is True
    assert await inbox.receive(raw, sign(raw), "d-1") is False  # a replay changes nothing
    assert inbox.deliveries.kept["d-1"]["applied"] is False
    assert (inbox.deliveries.kept["d-1"]["type"], inbox.deliveries.kept["d-1"]["action"],
            inbox.deliveries.kept["d-1"]["organization_id"]) == ("Issue", "create", "org-1")
    assert inbox.woken == [1]


async def test_a_forged_or_stale_delivery_is_refused_before_it_is_kept(inbox):
    raw = body()
    with pytest.raises(Unauthenticated):
        await inbox.receive(raw, sign(raw, "not-the-secret"), "d-2")
    stale = body(NOW - timedelta(seconds=61))
    with pytest.raises(Unauthenticated, match="webhookTimestamp"):
        await inbox.receive(stale, sign(stale), "d-3")  # rightly signed, but a minute old
    with pytest.raises(InvalidArgument):
        await inbox.receive(raw, sign(raw), "")
    assert inbox.deliveries.kept == {} and inbox.woken == []


async def test_what_is_not_about_an_issue_is_kept_as_applied(inbox):
    raw = body(type="Comment")
    assert await inbox.receive(raw, sign(raw), "d-4") is True
    assert inbox.deliveries.kept["d-4"]["applied"] is True
    assert inbox.woken == []
