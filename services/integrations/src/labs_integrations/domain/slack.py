"""The Slack slice's rules, plain Python: slash commands verified and parsed (durations, project
names of several words), the weekday reminder's schedule, and the outbox's retry schedule."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from labs_common.errors import Unauthenticated
from labs_common.retries import doubling

# Slack's own window: a request older (or newer) than this is refused as a replay.
SIGNATURE_WINDOW_SECONDS = 5 * 60
# Roles a reminder goes to (not viewers, not clients).
REMINDED_ROLES = frozenset({"member", "manager", "admin", "owner"})
# Roles a channel's audience may be: a channel is read by the agency's people, never a client.
AUDIENCES = ("viewer", "member", "manager", "admin", "owner")
DEFAULT_AUDIENCE = "member"
# A message that cannot be posted is retried for 3 days, then given up with its last error.
GIVE_UP_AFTER = timedelta(days=3)
RETRY_BASE_SECONDS = 10.0
RETRY_CAP_SECONDS = 3600.0

USAGE = ("Usage:\n"
         "• `/labs time <duration> <project> <note>`: log time for today, e.g. "
         "`/labs time 2h Website fixed login` (durations: 2h, 1.5h, 90m, 1h30m, 1:30)\n"
         "• `/labs task <project> <title>`: create a task\n"
         "• `/labs status <project>`: the project's status\n"
         "• `/labs help`: this message")


# --- signatures -------------------------------------------------------------------------------

_TIMESTAMP = re.compile(r"\d{1,12}", re.ASCII)


def verify_signature(secret: str, body: bytes, timestamp: str, signature: str, *,
                     now: Callable[[], float] = time.time) -> None:
    """Slack's v0 signature (HMAC-SHA256 of "v0:{timestamp}:{body}") within 5 minutes either
    way; an unset secret refuses everything. Unauthenticated otherwise."""
    if not secret.strip():
        raise Unauthenticated("Slack requests are not accepted: no signing secret is set.")
    # ASCII digits only ("²" and "--5" pass str.isdigit() or lstrip("-"), and int() refuses
    # them); 12 digits are far beyond any time Slack will sign.
    if not timestamp or not signature or _TIMESTAMP.fullmatch(timestamp) is None:
        raise Unauthenticated("The Slack signature or its timestamp is missing.")
    if abs(now() - int(timestamp)) > SIGNATURE_WINDOW_SECONDS:
        raise Unauthenticated("The Slack request is stale (or from the future).")
    if not signature.isascii():  # hmac.compare_digest raises TypeError on non-ASCII str
        raise Unauthenticated("The Slack signature does not verify.")
    # slack_sdk on first use: see adapters/platforms.py
    from slack_sdk.signature import Clock, SignatureVerifier

    class FixedClock(Clock):
        def now(self) -> float:
            return now()

    verifier = SignatureVerifier(secret, clock=FixedClock())
    try:
        valid = verifier.is_valid(body=body, timestamp=timestamp, signature=signature)
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise Unauthenticated("The Slack signature does not verify.")


@dataclass(frozen=True)
class SlashCommand:
    team_id: str
    user_id: str
    text: str
    response_url: str
    command: str
    channel_id: str = ""
    trigger_id: str = ""  # unique per invocation: what makes a command's work idempotent


def parse_form(body: bytes) -> SlashCommand:
    fields = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"),
                                           keep_blank_values=True).items()}
    return SlashCommand(team_id=fields.get("team_id", ""), user_id=fields.get("user_id", ""),
                        text=fields.get("text", "").strip(),
                        response_url=fields.get("response_url", ""),
                        command=fields.get("command", "/labs"),
                        channel_id=fields.get("channel_id", ""),
                        trigger_id=fields.get("trigger_id", ""))


# --- commands ---------------------------------------------------------------------------------

_HOURS = re.compile(r"^(\d+(?:\.\d+)?)h$")
_MINUTES = re.compile(r"^(\d+)m(?:in)?$")
_HOURS_MINUTES = re.compile(r"^(\d+)h(\d+)m?$")
_CLOCK = re.compile(r"^(\d+):([0-5]\d)$")
MAX_HOURS = Decimal(24)


def parse_duration(text: str) -> Decimal | None:
    """Hours of "2h", "1.5h", "90m", "1h30m", "1:30" (also a bare "2" or "1.5"), rounded to the
    hundredth; None when it is no duration or not within (0, 24]."""
    value = text.strip().lower()
    hours: Decimal | None = None
    if match := _HOURS.match(value):
        hours = Decimal(match[1])
    elif match := _MINUTES.match(value):
        hours = Decimal(match[1]) / 60
    elif (match := _HOURS_MINUTES.match(value)) or (match := _CLOCK.match(value)):
        if int(match[2]) >= 60:
            return None
        hours = Decimal(match[1]) + Decimal(match[2]) / 60
    elif re.fullmatch(r"\d+(?:\.\d+)?", value):
        hours = Decimal(value)
    if hours is None or hours <= 0 or hours > MAX_HOURS:
        return None
    return hours.quantize(Decimal("0.01"))


@dataclass(frozen=True)
class TimeCommand:
    hours: Decimal
    words: tuple[str, ...]  # the project's name and the note, to be told apart


@dataclass(frozen=True)
class TaskCommand:
    words: tuple[str, ...]  # the project's name and the title


@dataclass(frozen=True)
class StatusCommand:
    words: tuple[str, ...]


@dataclass(frozen=True)
class HelpCommand:
    problem: str = ""


Command = TimeCommand | TaskCommand | StatusCommand | HelpCommand


def parse_command(text: str) -> Command:
    words = tuple(text.split())
    if not words:
        return HelpCommand()
    verb, rest = words[0].lower(), words[1:]
    if verb == "time":
        if not rest:
            return HelpCommand("Say how long and on which project: `/labs time 2h Website "
                               "fixed login`.")
        hours = parse_duration(rest[0])
        if hours is None:
            return HelpCommand(f"`{rest[0]}` is not a duration: try 2h, 1.5h, 90m, 1h30m or "
                               "1:30 (at most 24 hours).")
        if len(rest) < 2:
            return HelpCommand("Name the project: `/labs time 2h Website fixed login`.")
        return TimeCommand(hours, rest[1:])
    if verb == "task":
        if len(rest) < 2:
            return HelpCommand("Name the project and the task: `/labs task Website Fix the "
                               "login page`.")
        return TaskCommand(rest)
    if verb == "status":
        if not rest:
            return HelpCommand("Name the project: `/labs status Website`.")
        return StatusCommand(rest)
    if verb == "help":
        return HelpCommand()
    return HelpCommand(f"I don't know `{words[0]}`.")


P = TypeVar("P")


@dataclass(frozen=True)
class ProjectMatch:
    """The project the leading words name and the words after them; or the candidates when
    they are ambiguous; or neither (nothing matched)."""

    project: object | None
    rest: tuple[str, ...]
    candidates: tuple = ()


async def match_project(words: Sequence[str], lookup: Callable, *, name_of=lambda p: p.name,
                        need_rest: bool = False) -> ProjectMatch:
    """The longest prefix of `words` that names exactly one project (`await lookup(name)` lists
    the projects a name matches: exactly, else by prefix). A prefix matching several is
    remembered as the ambiguity to report when no longer prefix is exact. With `need_rest`,
    at least one word is left for the note or title."""
    ambiguous: tuple = ()
    last = len(words) - (1 if need_rest else 0)
    for size in range(last, 0, -1):
        name = " ".join(words[:size])
        found = await lookup(name)
        exact = [p for p in found if name_of(p).lower() == name.lower()]
        if len(exact) == 1:
            return ProjectMatch(exact[0], tuple(words[size:]))
        if len(found) == 1 and not exact:
            return ProjectMatch(found[0], tuple(words[size:]))
        if len(found) > 1 and not ambiguous:
            ambiguous = tuple(exact or found)
    return ProjectMatch(None, tuple(words), ambiguous)


# --- the weekday reminder ---------------------------------------------------------------------

def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def today_in(timezone: str, now: datetime) -> date:
    return now.astimezone(zone(timezone)).date()


def previous_working_day(day: date) -> date:
    """Friday for a Monday, else the day before (Mon-Fri is the working week)."""
    back = 3 if day.weekday() == 0 else 1
    return day - timedelta(days=back)


def reminder_due(timezone: str, now: datetime, hour: int) -> date | None:
    """The org's today when the reminder is due now (Mon-Fri at or after `hour` there), else
    None. Whether it was sent today already is the table's (one row per org and day)."""
    local = now.astimezone(zone(timezone))
    if local.weekday() >= 5 or local.hour < hour:
        return None
    return local.date()


# --- the outbox's schedule --------------------------------------------------------------------

def next_attempt(attempts: int, now: datetime, *, base: float = RETRY_BASE_SECONDS,
                 retry_after: float | None = None) -> datetime:
    """After `attempts` failed attempts: base·2^(n-1), capped at an hour; Slack's Retry-After
    (ratelimited) when it said one."""
    delay = doubling(attempts, base, RETRY_CAP_SECONDS)
    if retry_after is not None and retry_after > 0:
        delay = retry_after
    return now + timedelta(seconds=delay)
