"""The Slack slice's rules without I/O: signatures (forged, stale, future, no secret), durations,
commands, project names of several words, the reminder's schedule, the outbox's backoff."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from labs_common.errors import Unauthenticated
from labs_integrations.domain import slack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BODY = b"token=x&team_id=T1&user_id=U1&command=%2Flabs&text=time+2h+Site+fixed+login"
NOW = 1_700_000_000.0


def signed(body: bytes, ts: int, secret: str = SECRET) -> str:
    return "v0=" + hmac.new(secret.encode(), f"v0:{ts}:".encode() + body,
                            hashlib.sha256).hexdigest()


def verify(ts: int, signature: str, secret: str = SECRET, body: bytes = BODY) -> None:
    slack.verify_signature(secret, body, str(ts), signature, now=lambda: NOW)


def test_a_signed_request_within_the_window_verifies():
    verify(int(NOW) - 10, signed(BODY, int(NOW) - 10))
    verify(int(NOW) + 290, signed(BODY, int(NOW) + 290))  # a little clock skew


@pytest.mark.parametrize("offset", [-301, 301, -86_400])
def test_stale_and_future_requests_are_refused(offset):
    ts = int(NOW) + offset
    with pytest.raises(Unauthenticated):
        verify(ts, signed(BODY, ts))


def test_forged_and_tampered_requests_are_refused():
    ts = int(NOW)
    with pytest.raises(Unauthenticated):
        verify(ts, signed(BODY, ts, secret="another secret"))
    with pytest.raises(Unauthenticated):
        verify(ts, signed(BODY, ts), body=BODY + b"&x=1")
    with pytest.raises(Unauthenticated):
        verify(ts, "")
    with pytest.raises(Unauthenticated):
        slack.verify_signature(SECRET, BODY, "not-a-number", signed(BODY, ts), now=lambda: NOW)


@pytest.mark.parametrize("timestamp", [
    "--5", "²", "\u0661\u0667" + "\u0660" * 8, "-1700000000", " 1700000000", "1700000000.5",
    "9" * 13, "0x10", ""])
def test_a_malformed_timestamp_is_refused_never_an_error(timestamp):
    # "²" and "--5".lstrip("-") pass str.isdigit(), and int() raised ValueError: a 500.
    with pytest.raises(Unauthenticated):
        slack.verify_signature(SECRET, BODY, timestamp, signed(BODY, int(NOW)),
                               now=lambda: NOW)


@pytest.mark.parametrize("signature", ["v0=é" + "0" * 63, "v0=ü", "☃", "v0=\u0000" + "a" * 63])
def test_a_non_ascii_signature_is_refused_never_an_error(signature):
    # hmac.compare_digest raises TypeError on a non-ASCII str: it was a 500.
    with pytest.raises(Unauthenticated):
        verify(int(NOW), signature)


def test_no_secret_configured_refuses_everything():
    ts = int(NOW)
    for secret in ("", "   "):
        with pytest.raises(Unauthenticated):
            verify(ts, signed(BODY, ts, secret=secret or "x"), secret=secret)


def test_the_form_is_parsed():
    command = slack.parse_form(BODY + b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fx")
    assert (command.team_id, command.user_id, command.command) == ("T1", "U1", "/labs")
    assert command.text == "time 2h Site fixed login"
    assert command.response_url == "https://hooks.slack.com/x"


@pytest.mark.parametrize(("text", "hours"), [
    ("2h", "2.00"), ("1.5h", "1.50"), ("90m", "1.50"), ("1h30m", "1.50"), ("1h30", "1.50"),
    ("1:30", "1.50"), ("0:45", "0.75"), ("2", "2.00"), ("45min", "0.75"), ("2H", "2.00"),
    ("24h", "24.00")])
def test_durations(text, hours):
    assert slack.parse_duration(text) == Decimal(hours)


@pytest.mark.parametrize("text", ["0h", "25h", "1:75", "1h75m", "abc", "h", "-2h", "2d", ""])
def test_what_is_no_duration(text):
    assert slack.parse_duration(text) is None


async def test_commands_are_parsed():
    command = slack.parse_command("time 2h My Site fixed login")
    assert command == slack.TimeCommand(Decimal("2.00"), ("My", "Site", "fixed", "login"))
    assert slack.parse_command("task Site Fix it") == slack.TaskCommand(("Site", "Fix", "it"))
    assert slack.parse_command("status My Site") == slack.StatusCommand(("My", "Site"))
    assert slack.parse_command("") == slack.HelpCommand()
    assert slack.parse_command("help") == slack.HelpCommand()
    assert "dance" in slack.parse_command("dance now").problem
    assert "duration" in slack.parse_command("time two Site").problem
    assert slack.parse_command("time 2h").problem
    assert slack.parse_command("task Site").problem


@dataclass(frozen=True)
class P:
    name: str


PROJECTS = [P("Site"), P("Site Redesign"), P("Mobile App"), P("Mobile API")]


async def lookup(name: str) -> list[P]:
    """As known_projects.by_name: exact (case-insensitive) matches, else prefix matches."""
    exact = [p for p in PROJECTS if p.name.lower() == name.lower()]
    return exact or [p for p in PROJECTS if p.name.lower().startswith(name.lower())]


async def match(text: str, need_rest: bool = False) -> slack.ProjectMatch:
    # Awaited on the session's loop: asyncio.run would leave later tests without one.
    return await slack.match_project(text.split(), lookup, need_rest=need_rest)


async def test_the_longest_prefix_naming_one_project_wins():
    found = await match("site redesign fixed login")
    assert found.project == P("Site Redesign") and found.rest == ("fixed", "login")
    found = await match("Site fixed login")
    assert found.project == P("Site") and found.rest == ("fixed", "login")
    found = await match("Mobile App crash")
    assert found.project == P("Mobile App") and found.rest == ("crash",)


async def test_an_ambiguous_name_lists_its_candidates():
    found = await match("Mobile crash")
    assert found.project is None
    assert set(found.candidates) == {P("Mobile App"), P("Mobile API")}
    assert (await match("Nothing here")).candidates == ()


async def test_a_unique_prefix_names_its_project():
    found = await match("Site Re fix")
    assert found.project == P("Site Redesign") and found.rest == ("fix",)
    assert set((await match("Mobile Ap crash")).candidates) == {P("Mobile App"), P("Mobile API")}


async def test_a_title_needs_a_word_after_the_project():
    found = await match("Site Redesign", need_rest=True)
    assert found.project == P("Site") and found.rest == ("Redesign",)


AMSTERDAM = "Europe/Amsterdam"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_the_reminder_is_due_on_weekdays_from_the_hour_in_the_orgs_timezone():
    # Tuesday 2026-12-01 08:30 UTC is 09:30 in Amsterdam.
    assert slack.reminder_due(AMSTERDAM, at("2026-12-01T08:30:00+00:00"), 9) == date(2026, 12, 1)
    assert slack.reminder_due(AMSTERDAM, at("2026-12-01T07:30:00+00:00"), 9) is None
    assert slack.reminder_due("UTC", at("2026-12-01T08:30:00+00:00"), 9) is None
    assert slack.reminder_due("America/New_York", at("2026-12-01T15:00:00+00:00"), 9) == \
        date(2026, 12, 1)
    # Saturday and Sunday: never.
    assert slack.reminder_due(AMSTERDAM, at("2026-12-05T12:00:00+00:00"), 9) is None
    assert slack.reminder_due(AMSTERDAM, at("2026-12-06T12:00:00+00:00"), 9) is None
    # Late on Friday in UTC is Saturday in Auckland.
    assert slack.reminder_due("Pacific/Auckland", at("2026-12-04T20:00:00+00:00"), 9) is None
    # An unknown zone is UTC.
    assert slack.reminder_due("Nowhere/Else", at("2026-12-01T09:00:00+00:00"), 9) == \
        date(2026, 12, 1)


def test_the_previous_working_day():
    assert slack.previous_working_day(date(2026, 11, 30)) == date(2026, 11, 27)  # Mon → Fri
    assert slack.previous_working_day(date(2026, 12, 1)) == date(2026, 11, 30)
    assert slack.previous_working_day(date(2026, 12, 4)) == date(2026, 12, 3)


def test_today_in_the_orgs_timezone():
    assert slack.today_in("Pacific/Auckland", at("2026-12-01T20:00:00+00:00")) == date(2026, 12, 2)
    assert slack.today_in("", at("2026-12-01T20:00:00+00:00")) == date(2026, 12, 1)


def test_the_backoff_doubles_is_capped_and_honours_retry_after():
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert slack.next_attempt(1, now, base=10) == now + timedelta(seconds=10)
    assert slack.next_attempt(3, now, base=10) == now + timedelta(seconds=40)
    assert slack.next_attempt(30, now, base=10) == now + timedelta(hours=1)
    assert slack.next_attempt(1, now, base=10, retry_after=30) == now + timedelta(seconds=30)
