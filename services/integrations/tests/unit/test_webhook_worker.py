"""The delivery worker against an in-memory queue and httpx's MockTransport: it signs and posts
outside its claim's transaction, records a 2xx as succeeded and anything else as a retry, checks
the target again before each attempt, and never follows a redirect."""

from __future__ import annotations

import ipaddress
import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx

from labs_common.testing.fakes import FakeUnitOfWork
from labs_integrations.adapters.targets import TargetGuard
from labs_integrations.adapters.vault import Vault
from labs_integrations.adapters.webhook_sender import WebhookSender
from labs_integrations.adapters.webhooks_repository import DueDelivery
from labs_integrations.domain.webhooks import DeliveryStatus, WebhookDelivery, verify
from labs_integrations.service_layer.webhook_delivery import WebhookDeliveryWorker
from labs_integrations.service_layer.webhook_endpoints import secret_aad

VAULT = Vault.from_settings("", "test")
SECRET = "whsec_worker"
BODY = '{"type":"task:updated","id":"e","ts":"2026-01-01T00:00:00Z","data":{}}'


class FakeQueue:
    def __init__(self, due: list[DueDelivery]) -> None:
        self.due = due
        self.recorded: list[WebhookDelivery] = []
        self.open_transactions = 0

    async def claim_due(self, limit: int, lease_seconds: float) -> list[DueDelivery]:
        found, self.due = self.due[:limit], self.due[limit:]
        return found

    async def record(self, delivery: WebhookDelivery) -> bool:
        self.recorded.append(delivery)
        return True


class QueueUow(FakeUnitOfWork):
    queue: FakeQueue

    async def __aenter__(self):
        self.queue.open_transactions += 1
        return self

    async def __aexit__(self, *exc_info) -> None:
        self.queue.open_transactions -= 1


def due(url: str = "https://hooks.example.com/h", **changes) -> DueDelivery:
    now = datetime.now(UTC)
    delivery = WebhookDelivery(id=uuid.uuid4(), org_id=uuid.uuid4(), endpoint_id=uuid.uuid4(),
                               event_id=uuid.uuid4(), event_type="task:updated", body=BODY,
                               created_at=now, next_attempt_at=now,
                               give_up_at=now + timedelta(days=3))
    delivery = replace(delivery, **changes)
    sealed = VAULT.seal(SECRET.encode(), secret_aad(delivery.org_id, delivery.endpoint_id))
    return DueDelivery(delivery, url, sealed)


CHECKED = ipaddress.ip_address("93.184.216.34")


class AnyPublic(TargetGuard):
    """Every name resolves to one public address (what the guard checked)."""

    async def check(self, url: str):
        return [CHECKED]


def worker(queue: FakeQueue, handler, guard: TargetGuard | None = None
           ) -> WebhookDeliveryWorker:
    seen_open: list[int] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen_open.append(queue.open_transactions)
        return handler(request)

    def factory(scope):
        uow = QueueUow(scope)
        uow.webhook_deliveries = queue  # type: ignore[attr-defined]
        uow.queue = queue
        return uow

    sender = WebhookSender(5.0, transport=httpx.MockTransport(recording))
    made = WebhookDeliveryWorker(factory, sender, VAULT, guard or AnyPublic(),
                                 retry_base_seconds=1.0)
    made.seen_open = seen_open  # type: ignore[attr-defined]
    return made


async def test_a_2xx_is_recorded_as_succeeded_and_the_post_is_signed_outside_a_transaction():
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(204)

    item = due()
    queue = FakeQueue([item])
    run = worker(queue, answer)
    assert await run.run_once() == 1
    (request,) = requests
    # To the address the guard checked, with the endpoint's name for Host and TLS (no second
    # lookup a rebinding name could answer differently).
    assert request.url.host == str(CHECKED)
    assert request.headers["Host"] == "hooks.example.com"
    assert request.extensions["sni_hostname"] == "hooks.example.com"
    assert request.content.decode() == BODY
    assert verify(SECRET, BODY, request.headers["Labs-Signature"])
    assert request.headers["Labs-Event-Id"] == str(item.delivery.event_id)
    assert request.headers["Labs-Delivery-Id"] == str(item.delivery.id)
    assert request.headers["Labs-Event-Type"] == "task:updated"
    assert request.headers["User-Agent"] == "Labs-Webhooks/1"
    assert request.headers["Content-Type"] == "application/json"
    assert run.seen_open == [0]  # type: ignore[attr-defined]
    (recorded,) = queue.recorded
    assert (recorded.status, recorded.attempts, recorded.last_status_code) == (
        DeliveryStatus.SUCCEEDED, 1, 204)
    assert await run.run_once() == 0


async def test_an_error_answer_or_a_redirect_is_a_retry_logged_by_its_status_only():
    answers = iter([httpx.Response(500, text="boom"),
                    httpx.Response(302, headers={"location": "http://169.254.169.254/"})])
    queue = FakeQueue([due(), due()])
    run = worker(queue, lambda _request: next(answers))
    assert await run.run_once() == 2
    failed, redirected = sorted(queue.recorded, key=lambda d: d.last_status_code or 0,
                                reverse=True)
    assert (failed.status, failed.last_status_code, failed.last_error) == (
        DeliveryStatus.PENDING, 500, "HTTP 500 Internal Server Error")
    assert failed.next_attempt_at is not None
    assert (redirected.last_status_code, redirected.last_error) == (
        302, "HTTP 302 Found (redirects are not followed)")


async def test_a_target_that_now_resolves_inward_gets_no_request():
    requests: list[httpx.Request] = []
    queue = FakeQueue([due(url="http://127.0.0.1:9/h")])
    run = worker(queue, lambda r: requests.append(r) or httpx.Response(200), TargetGuard())
    assert await run.run_once() == 1
    assert requests == []
    (recorded,) = queue.recorded
    assert recorded.last_status_code is None and "target refused" in (recorded.last_error or "")
    assert recorded.status is DeliveryStatus.PENDING and recorded.attempts == 1


async def test_an_unreachable_endpoint_past_its_give_up_time_fails():
    def refuse(_request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    late = due(give_up_at=datetime.now(UTC) + timedelta(seconds=0.1), attempts=9)
    queue = FakeQueue([late])
    assert await worker(queue, refuse).run_once() == 1
    (recorded,) = queue.recorded
    assert (recorded.status, recorded.attempts, recorded.last_status_code) == (
        DeliveryStatus.FAILED, 10, None)
    assert "ConnectError" in (recorded.last_error or "")
    assert json.loads(late.delivery.body)["type"] == "task:updated"
