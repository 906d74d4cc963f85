"""Alerts on real PostgreSQL and NATS, delivered for real: identity (its member.joined tells
forecasting the owner's address) and a forecasting whose mailer sends to an aiosmtpd sink
(labs_common.testing.mail), both on a NATS server of this module's own (its durables would
otherwise split the session's events with the shared forecasting service). Entries published
on time's stream push a project's margin under the threshold: the alert is listed in-app,
published as alert.raised for the owner only, and emailed (text and HTML) even though SMTP
refused mail for a while; one more hour raises nothing new."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import nats
import pytest
from forecasting_helpers import bearer, publish, signup, until_margin

from labs.events.v1 import envelope_pb2
from labs.forecasting.v1 import events_pb2
from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs.forecasting.v1 import forecasting_service_pb2_grpc as pb_grpc
from labs.identity.v1 import identity_service_pb2_grpc as identity_grpc
from labs.projects.v1 import events_pb2 as projects_events
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs.time.v1 import events_pb2 as time_events
from labs.time.v1 import time_service_pb2 as time_pb
from labs_common.events.streams import ensure_stream
from labs_common.service import RunningService, start
from labs_common.testing.infrastructure import free_port, start_nats
from labs_forecasting.config import Settings
from labs_forecasting.main import DEFINITION
from labs_identity.config import Settings as IdentitySettings
from labs_identity.main import DEFINITION as IDENTITY

pytestmark = pytest.mark.integration

OWNERS = ("projects", "time", "capacity", "billing")


def _common(postgres_url: str, nats_url: str, name: str) -> dict:
    return {
        "database_url": postgres_url,
        "database_name": f"labs_{name}_alerts_test_{uuid.uuid4().hex[:8]}",
        "nats_url": nats_url,
        "grpc_port": free_port(),
        "env": "test",
        "shutdown_grace_seconds": 0,
    }


@pytest.fixture(scope="module")
def alerts_nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = start_nats(Path(tmp_path_factory.mktemp("alerts_nats")))
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
async def alerts_js(alerts_nats_url: str):
    connection = await nats.connect(alerts_nats_url)
    js = connection.jetstream()
    for owner in OWNERS:
        await ensure_stream(js, owner)
    yield js
    await connection.drain()


@pytest.fixture(scope="module")
async def alerts_identity(postgres_url: str, alerts_nats_url: str
                          ) -> AsyncIterator[RunningService]:
    service = await start(IDENTITY, IdentitySettings(**_common(postgres_url, alerts_nats_url,
                                                               "identity")))
    yield service
    await service.stop()


@pytest.fixture(scope="module")
async def alerts_forecasting(postgres_url: str, alerts_nats_url: str,
                             alerts_identity: RunningService, alerts_js, smtp_sink
                             ) -> AsyncIterator[RunningService]:
    settings = Settings(**_common(postgres_url, alerts_nats_url, "forecasting"),
                        identity_addr=alerts_identity.address, smtp_url=smtp_sink.url,
                        mail_from="Labs alerts <alerts@labs.test>")
    service = await start(DEFINITION, settings)
    yield service
    await service.stop()


@pytest.fixture(scope="module")
async def identity(alerts_identity: RunningService):
    async with grpc.aio.insecure_channel(alerts_identity.address) as channel:
        yield identity_grpc.IdentityServiceStub(channel)


@pytest.fixture(scope="module")
async def forecasting(alerts_forecasting: RunningService):
    async with grpc.aio.insecure_channel(alerts_forecasting.address) as channel:
        yield pb_grpc.ForecastingServiceStub(channel)


def entry(project_id: str, hours: str, rate: str, cost: str) -> time_events.EntryChanged:
    entry_id = str(uuid.uuid4())
    return time_events.EntryChanged(
        entry_id=entry_id, project_id=project_id, date_worked="2026-03-02", hours=hours,
        rounded_hours=hours, billable=True, billable_rate=rate, cost_rate=cost, currency="USD",
        entry=time_pb.TimeEntry(id=entry_id, project_id=project_id))


async def until(predicate, timeout: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        found = await predicate()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not before the deadline")
        await asyncio.sleep(0.1)


async def test_a_margin_under_the_threshold_is_listed_pushed_and_emailed(
        alerts_forecasting, alerts_nats_url, alerts_js, identity, forecasting, smtp_sink):
    owner = await signup(identity)
    org, email = owner.organization.id, owner.user.email
    auth = bearer(owner.access_token)
    raised: list[events_pb2.AlertRaised] = []

    async def on_raised(msg) -> None:
        envelope = envelope_pb2.Envelope.FromString(msg.data)
        event = events_pb2.AlertRaised()
        envelope.payload.Unpack(event)
        if envelope.org_id == org:
            raised.append(event)

    connection = await nats.connect(alerts_nats_url)
    await connection.subscribe("labs.forecasting.v1.*.alert.raised", cb=on_raised)
    try:
        for method in (pb.DELIVERY_METHOD_IN_APP, pb.DELIVERY_METHOD_EMAIL):
            created = await forecasting.CreateAlertSubscription(
                pb.CreateAlertSubscriptionRequest(alert_type=pb.ALERT_TYPE_MARGIN_THRESHOLD,
                                                  delivery_method=method), metadata=auth)
            assert created.created and created.subscription.threshold_value == "20"
        again = await forecasting.CreateAlertSubscription(
            pb.CreateAlertSubscriptionRequest(alert_type=pb.ALERT_TYPE_MARGIN_THRESHOLD,
                                              delivery_method=pb.DELIVERY_METHOD_EMAIL),
            metadata=auth)
        assert not again.created

        project_id = str(uuid.uuid4())
        await publish(alerts_js, "projects", org, "project.created",
                      projects_events.ProjectCreated(project=projects_pb.Project(
                          id=project_id, name="Relaunch", client_name="Acme",
                          budget_type=projects_pb.BUDGET_TYPE_TIME_AND_MATERIALS,
                          budget_total="10000.00", budget_currency="USD",
                          status=projects_pb.PROJECT_STATUS_ACTIVE)))
        await until_margin(forecasting, owner, project_id, revenue="0.00")
        smtp_sink.refusing = True  # an SMTP outage: the mail waits, it is not lost
        await publish(alerts_js, "time", org, "entry.created",
                      entry(project_id, "10.00", "100.00", "90.00"), project_id=project_id)
        await until_margin(forecasting, owner, project_id, margin_percent="10.00")

        async def listed():
            found = await forecasting.ListAlerts(pb.ListAlertsRequest(), metadata=auth)
            return found if found.alerts else None

        # One alert in the inbox, though both the in-app and the email subscription asked.
        page = await until(listed, what="the alert (in-app and email subscriptions)")
        assert len(page.alerts) == 1 and page.unread_count == 1
        assert {a.severity for a in page.alerts} == {pb.SEVERITY_CRITICAL}
        assert all(a.project_id == project_id and a.user_id == owner.user.id
                   for a in page.alerts)
        await until(lambda: _true(len(raised) == 1), what="alert.raised")
        assert raised[0].user_id == owner.user.id

        await until(lambda: _true(smtp_sink.refused > 0), what="a refused delivery")
        smtp_sink.refusing = False
        mail = await smtp_sink.wait_for_mail_to(email, timeout=60)
        assert "below 20%" in str(mail["Subject"])
        assert mail.get_body(("plain",)) is not None
        assert "Relaunch" in mail.get_body(("html",)).get_content()

        # One more hour, still under the threshold: nothing new anywhere.
        await publish(alerts_js, "time", org, "entry.created",
                      entry(project_id, "1.00", "100.00", "90.00"), project_id=project_id)
        # Rules are judged in the margin's own transaction (an alert and its mail request are
        # committed with it): once the margin shows the hour, a second alert would be listed.
        await until_margin(forecasting, owner, project_id, hours_logged="11.00")
        page = await forecasting.ListAlerts(pb.ListAlertsRequest(), metadata=auth)
        assert len(page.alerts) == 1 and len(raised) == 1
        assert len(smtp_sink.to(email)) == 1

        first = page.alerts[0]
        read = await forecasting.UpdateAlert(pb.UpdateAlertRequest(
            id=first.id, is_read=True, update_mask={"paths": ["is_read"]}), metadata=auth)
        assert read.alert.is_read
        unread = await forecasting.ListAlerts(pb.ListAlertsRequest(unread=True), metadata=auth)
        assert unread.unread_count == 0 and unread.alerts == []

        other = await signup(identity)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await forecasting.UpdateAlert(pb.UpdateAlertRequest(id=first.id, is_read=False),
                                          metadata=bearer(other.access_token))
        assert refused.value.code() is grpc.StatusCode.NOT_FOUND
        await forecasting.DeleteAlert(pb.DeleteAlertRequest(id=first.id), metadata=auth)
        page = await forecasting.ListAlerts(pb.ListAlertsRequest(), metadata=auth)
        assert first.id not in [a.id for a in page.alerts]
    finally:
        smtp_sink.refusing = False
        await connection.drain()


async def _true(value: bool) -> bool:
    return value


async def test_subscriptions_are_each_users_own(alerts_forecasting, identity, forecasting):
    owner, other = await signup(identity), await signup(identity)
    auth = bearer(owner.access_token)
    with pytest.raises(grpc.aio.AioRpcError) as invalid:
        await forecasting.CreateAlertSubscription(pb.CreateAlertSubscriptionRequest(
            delivery_method=pb.DELIVERY_METHOD_IN_APP, threshold_value="x"), metadata=auth)
    assert invalid.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    created = await forecasting.CreateAlertSubscription(pb.CreateAlertSubscriptionRequest(
        alert_type=pb.ALERT_TYPE_BUDGET_BURN, delivery_method=pb.DELIVERY_METHOD_IN_APP),
        metadata=auth)
    sub = created.subscription
    assert created.created and sub.threshold_value == "" and sub.enabled
    assert sub.user_id == owner.user.id
    updated = await forecasting.UpdateAlertSubscription(pb.UpdateAlertSubscriptionRequest(
        id=sub.id, threshold_value="85", enabled=False,
        update_mask={"paths": ["threshold_value", "enabled"]}), metadata=auth)
    assert (updated.subscription.threshold_value, updated.subscription.enabled) == ("85", False)
    listed = await forecasting.ListAlertSubscriptions(pb.ListAlertSubscriptionsRequest(),
                                                      metadata=auth)
    assert [s.id for s in listed.subscriptions] == [sub.id]
    theirs = await forecasting.ListAlertSubscriptions(pb.ListAlertSubscriptionsRequest(),
                                                      metadata=bearer(other.access_token))
    assert list(theirs.subscriptions) == []
    for call in (
        forecasting.DeleteAlertSubscription(pb.DeleteAlertSubscriptionRequest(id=sub.id),
                                            metadata=bearer(other.access_token)),
        forecasting.UpdateAlertSubscription(pb.UpdateAlertSubscriptionRequest(
            id=sub.id, enabled=True, update_mask={"paths": ["enabled"]}),
            metadata=bearer(other.access_token)),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await call
        assert missing.value.code() is grpc.StatusCode.NOT_FOUND
    await forecasting.DeleteAlertSubscription(pb.DeleteAlertSubscriptionRequest(id=sub.id),
                                              metadata=auth)
    listed = await forecasting.ListAlertSubscriptions(pb.ListAlertSubscriptionsRequest(),
                                                      metadata=auth)
    assert list(listed.subscriptions) == []
