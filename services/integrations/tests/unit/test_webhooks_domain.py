"""Outgoing webhooks' pure rules: the signature and its verification, the retry schedule, the
URL and event rules, the filter."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from labs_common.errors import Conflict, InvalidArgument
from labs_integrations.domain import webhooks
from labs_integrations.domain.webhooks import DeliveryStatus, Outcome, WebhookDelivery

SECRET = "whsec_test"
BODY = '{"type":"task:updated","id":"e1","ts":"2026-01-01T00:00:00Z","data":{"id":"t1"}}'


def test_the_signature_is_hmac_sha256_of_t_dot_body_in_hex():
    header = webhooks.signature_header(SECRET, BODY, timestamp=1_700_000_000)
    expected = hmac.new(SECRET.encode(), f"1700000000.{BODY}".encode(),
                        hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


def test_verify_accepts_a_fresh_signature_and_refuses_tampering_old_ones_and_other_secrets():
    header = webhooks.signature_header(SECRET, BODY, timestamp=1_700_000_000)
    now = 1_700_000_010
    assert webhooks.verify(SECRET, BODY, header, now=now)
    assert webhooks.verify(SECRET, BODY.encode(), header, now=now)
    assert not webhooks.verify(SECRET, BODY + " ", header, now=now)
    assert not webhooks.verify("whsec_other", BODY, header, now=now)
    assert not webhooks.verify(SECRET, BODY, header, now=now + 3600)
    assert not webhooks.verify(SECRET, BODY, "v1=abc", now=now)
    assert not webhooks.verify(SECRET, BODY, "t=notanumber,v1=abc", now=now)


def test_retries_double_from_30_seconds_with_jitter_and_are_capped_at_6_hours():
    no_jitter = lambda: 0.5  # noqa: E731 - the middle of the ±20% spread
    assert webhooks.retry_delay(1, jitter=no_jitter) == pytest.approx(30)
    assert webhooks.retry_delay(2, jitter=no_jitter) == pytest.approx(60)
    assert webhooks.retry_delay(5, jitter=no_jitter) == pytest.approx(480)
    assert webhooks.retry_delay(30, jitter=no_jitter) == pytest.approx(6 * 3600)
    assert webhooks.retry_delay(1000, jitter=no_jitter) == pytest.approx(6 * 3600)
    assert webhooks.retry_delay(1, jitter=lambda: 0.0) == pytest.approx(24)
    assert webhooks.retry_delay(1, jitter=lambda: 1.0) == pytest.approx(36)


def _delivery(**changes) -> WebhookDelivery:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    values = {"id": uuid.uuid4(), "org_id": uuid.uuid4(), "endpoint_id": uuid.uuid4(),
              "event_id": uuid.uuid4(), "event_type": "task:updated", "body": BODY,
              "created_at": now, "next_attempt_at": now, "give_up_at": now + timedelta(days=3)}
    return WebhookDelivery(**{**values, **changes})


def test_a_2xx_succeeds_and_anything_else_is_retried_until_the_give_up_time_then_failed():
    now = datetime(2026, 1, 1, 1, tzinfo=UTC)
    done = webhooks.after_attempt(_delivery(), Outcome(204), now)
    assert (done.status, done.attempts, done.last_status_code, done.next_attempt_at) == (
        DeliveryStatus.SUCCEEDED, 1, 204, None)

    retried = webhooks.after_attempt(_delivery(attempts=2), Outcome(500, "HTTP 500: boom"), now,
                                     jitter=lambda: 0.5)
    assert retried.status is DeliveryStatus.PENDING and retried.attempts == 3
    assert retried.next_attempt_at == now + timedelta(seconds=120)
    assert retried.last_error == "HTTP 500: boom" and retried.last_status_code == 500

    unreachable = webhooks.after_attempt(_delivery(), Outcome(None, "x" * 5000), now)
    assert unreachable.last_status_code is None
    assert len(unreachable.last_error or "") == webhooks.MAX_ERROR_LENGTH

    late = _delivery(give_up_at=now + timedelta(seconds=10))
    failed = webhooks.after_attempt(late, Outcome(503), now)
    assert failed.status is DeliveryStatus.FAILED and failed.next_attempt_at is None
    assert failed.last_error == "HTTP 503"


@pytest.mark.parametrize("url", [
    "https://example.com/hooks", "http://example.com:8080/x?y=1", "https://[2001:db8::1]/h"])
def test_http_and_https_urls_with_a_host_are_accepted(url):
    assert webhooks.check_url(f"  {url} ") == url


@pytest.mark.parametrize("url", [
    "", "ftp://example.com/x", "file:///etc/passwd", "https://user:pw@example.com/",
    "https://user@example.com/", "https:///nohost", "example.com/hooks", "javascript:alert(1)",
    "http://example.com:99999/", "https://exa mple.com/", "gopher://example.com/"])
def test_other_urls_are_refused_naming_url(url):
    with pytest.raises(InvalidArgument) as refused:
        webhooks.check_url(url)
    assert [e.field for e in refused.value.field_errors] == ["url"]


def test_events_are_known_websocket_names_or_a_star():
    assert webhooks.check_events(["task:updated", "task:updated", "invoice:paid"]) == (
        "task:updated", "invoice:paid")
    assert webhooks.check_events(["task:created", "*"]) == ("*",)
    for bad in ([], ["task.updated"], ["nope:never"], ["typing"]):
        with pytest.raises(InvalidArgument) as refused:
            webhooks.check_events(bad)
        assert [e.field for e in refused.value.field_errors] == ["events"]


def test_the_filter_matches_its_types_or_everything():
    assert webhooks.matches(["*"], "time:entry:created")
    assert webhooks.matches(["task:updated", "invoice:paid"], "invoice:paid")
    assert not webhooks.matches(["task:updated"], "task:created")
    assert not webhooks.matches([], "task:updated")


def test_an_org_has_at_most_20_endpoints():
    webhooks.check_room(19)
    with pytest.raises(Conflict):
        webhooks.check_room(20)
