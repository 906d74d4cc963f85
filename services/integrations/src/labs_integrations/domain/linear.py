"""Linear's side of Labs, pure: the webhook signature and its freshness, how an issue reads as a
task (its workflow state's type as a status, its estimate as story points), which Labs project an
issue belongs to (the connection's settings), the echo guard between an issue and its task, and
which of a team's workflow states a Labs status asks for.

The echo guard, as for GitHub (domain/github.py): a link remembers what the issue and its task
last agreed on (title, a hash of the description, the workflow state, the assignee, the estimate,
and the Labs status that state was taken as). A webhook saying exactly that changes nothing; a
task event whose title and status are the link's is the echo of our own apply and asks nothing of
Linear."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from labs_common.errors import FieldError, InvalidArgument
from labs_common.retries import doubling

ISSUE_ACTIONS = frozenset({"create", "update", "remove"})
# Linear's advice: refuse a delivery whose webhookTimestamp is more than a minute from now (a
# replay of a captured delivery, even correctly signed, is refused once it is old).
MAX_WEBHOOK_AGE = timedelta(seconds=60)
MAX_TITLE, MAX_DESCRIPTION, MAX_COMMENT = 500, 20_000, 10_000
# The projects service's bound for a task's story points.
MAX_STORY_POINTS = 1000
PUSH_RETRY_CAP = timedelta(hours=6)
PUSH_GIVE_UP = timedelta(days=3)
RECONCILE_OVERLAP = timedelta(minutes=5)

# Linear's workflow state types (every team's states have one of these).
TRIAGE, BACKLOG, UNSTARTED, STARTED, COMPLETED, CANCELED = (
    "triage", "backlog", "unstarted", "started", "completed", "canceled")
STATE_TYPES = frozenset({TRIAGE, BACKLOG, UNSTARTED, STARTED, COMPLETED, CANCELED})
TASK_STATUSES = ("backlog", "todo", "in_progress", "in_review", "done", "cancelled")
DONE, CANCELLED = "done", "cancelled"
# The state type a Labs status is asked as on Linear.
_STATE_TYPE_OF = {"backlog": BACKLOG, "todo": UNSTARTED, "in_progress": STARTED,
                  "in_review": STARTED, "done": COMPLETED, "cancelled": CANCELED}
# A team without a state of the type asked for: the closest one it has, in this order.
_FALLBACK_TYPES = {BACKLOG: (UNSTARTED, TRIAGE), UNSTARTED: (BACKLOG, TRIAGE),
                   TRIAGE: (UNSTARTED, BACKLOG)}
_REVIEW = re.compile(r"\breview", re.IGNORECASE)
_HEX = re.compile(r"[0-9a-f]{64}", re.ASCII)
# Linear team keys: letters and digits, uppercase, a few characters ("ENG", "WEB2").
_TEAM_KEY = re.compile(r"[A-Z0-9]{1,10}", re.ASCII)
SETTINGS_KEYS = ("teams", "projects")


# --- webhooks ----------------------------------------------------------------------------------

def verify_signature(secret: str, payload: bytes, signature: str | None) -> bool:
    """Linear-Signature is the hex HMAC-SHA256(secret, payload), no prefix. With no secret
    configured nothing verifies (an empty key would let anyone sign)."""
    if not secret or not signature:
        return False
    given = signature.strip().lower()
    if not _HEX.fullmatch(given):  # hex of SHA-256 or nothing (non-ASCII included)
        return False
    expected = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), given.encode("ascii"))


def is_fresh(webhook_timestamp: Any, now: datetime) -> bool:
    """`webhookTimestamp` (milliseconds since the epoch) within a minute of `now`, either way
    (clocks differ a little); absent or unreadable is not fresh."""
    if isinstance(webhook_timestamp, bool) or not isinstance(webhook_timestamp, (int, float)):
        return False
    try:
        sent = datetime.fromtimestamp(webhook_timestamp / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return False
    return abs(now - sent) <= MAX_WEBHOOK_AGE


# --- issues ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class State:
    """One of a team's workflow states."""

    id: str
    name: str
    type: str
    position: float = 0.0

    @classmethod
    def of(cls, raw: Any) -> State | None:
        if not isinstance(raw, dict) or not raw.get("id"):
            return None
        try:
            position = float(raw.get("position") or 0)
        except (TypeError, ValueError):
            position = 0.0
        return cls(id=str(raw["id"]), name=str(raw.get("name") or ""),
                   type=str(raw.get("type") or "").lower(), position=position)


@dataclass(frozen=True)
class IssueFacts:
    """What Linear says of an issue: a webhook's `data`, or a node of the `issues` query (the
    same GraphQL object; a webhook also carries the ids of what it links, `teamId`...)."""

    id: str
    identifier: str
    title: str
    description: str
    state: State | None
    team_id: str
    team_key: str
    project_id: str | None = None
    assignee_id: str | None = None
    assignee_email: str | None = None
    estimate: int | None = None
    url: str = ""
    updated_at: datetime | None = None

    @classmethod
    def of(cls, raw: dict[str, Any]) -> IssueFacts:
        team = raw.get("team") if isinstance(raw.get("team"), dict) else {}
        project = raw.get("project") if isinstance(raw.get("project"), dict) else {}
        assignee = raw.get("assignee") if isinstance(raw.get("assignee"), dict) else {}
        identifier = str(raw.get("identifier") or "")
        return cls(
            id=str(raw["id"]), identifier=identifier, title=task_title(raw.get("title")),
            description=storable(raw.get("description"), MAX_DESCRIPTION),
            state=State.of(raw.get("state")),
            team_id=str(team.get("id") or raw.get("teamId") or ""),
            team_key=str(team.get("key") or identifier.partition("-")[0]).upper(),
            project_id=str(project.get("id") or raw.get("projectId") or "") or None,
            assignee_id=str(assignee.get("id") or raw.get("assigneeId") or "") or None,
            assignee_email=email_of(assignee.get("email")),
            estimate=story_points(raw.get("estimate")),
            url=str(raw.get("url") or ""), updated_at=linear_time(raw.get("updatedAt")))

    @property
    def description_hash(self) -> str:
        return text_hash(self.description)

    @property
    def reference(self) -> str:
        return self.identifier or self.id


def text_hash(text: str | None) -> str:
    return hashlib.sha256((text or "").encode()).hexdigest()


def storable(text: Any, limit: int) -> str:
    """Text as a task keeps it: no NUL, at most `limit` characters."""
    return ("" if text is None else str(text)).replace("\x00", "")[:limit]


def task_title(title: Any) -> str:
    """A Linear title as the task's (projects trims it and keeps 500 characters), so the title
    the link remembers is the one the task's events carry."""
    return storable(title, 10 * MAX_TITLE).strip()[:MAX_TITLE].strip() or "(untitled)"


def email_of(value: Any) -> str | None:
    text = str(value or "").strip().lower()
    return text if "@" in text else None


def story_points(estimate: Any) -> int | None:
    """Linear's estimate is points of the team's scale (exponential, Fibonacci, linear, or
    t-shirt sizes stored as numbers), never a duration: it is the task's story points, and
    never its estimated hours (capacity and forecasts read those as time). A fraction is
    rounded; absent, negative or beyond what a task may hold is none."""
    if estimate is None or isinstance(estimate, bool):
        return None
    try:
        points = Decimal(str(estimate))
    except (InvalidOperation, ValueError):
        return None
    if not points.is_finite() or points < 0 or points > MAX_STORY_POINTS:
        return None
    return int(points.to_integral_value())


def linear_time(value: Any) -> datetime | None:
    """Linear's ISO 8601 times ("2026-12-01T09:30:00.000Z"); None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


# --- statuses ----------------------------------------------------------------------------------

def status_of(state: State | None) -> str:
    """The Labs status of a workflow state, by its type: triage, backlog and unstarted are to
    do, started is in progress (in review when the state is named so), completed is done and
    canceled is cancelled."""
    kind = state.type if state is not None else UNSTARTED
    if kind == STARTED:
        return "in_review" if _REVIEW.search(state.name if state else "") else "in_progress"
    if kind == COMPLETED:
        return DONE
    if kind == CANCELED:
        return CANCELLED
    return "todo"


def agrees(status: str | None, state: State | None) -> bool:
    """The task's status already says what the state says: a task in Labs' backlog is left
    there by Linear's backlog (or triage) rather than moved to to do."""
    if state is None or status is None:
        return status is not None
    if state.type == STARTED:
        return status == status_of(state)
    return _STATE_TYPE_OF.get(status) == state.type or status == status_of(state) or (
        state.type == TRIAGE and status == "backlog")


def state_for(states: list[State], status: str) -> State | None:
    """The team's workflow state a Labs status asks for: of the status's type (in review a
    started state named like review, in progress a started one that is not), the first by
    Linear's position; a team without that type gets the closest it has."""
    wanted = _STATE_TYPE_OF.get(status)
    if wanted is None:
        return None
    for kind in (wanted, *_FALLBACK_TYPES.get(wanted, ())):
        found = sorted((s for s in states if s.type == kind), key=lambda s: s.position)
        if kind == STARTED and found:
            review = [s for s in found if _REVIEW.search(s.name)]
            others = [s for s in found if not _REVIEW.search(s.name)]
            found = (review or others) if status == "in_review" else (others or review)
        if found:
            return found[0]
    return None


# --- which project -----------------------------------------------------------------------------

def check_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """`{"teams": {"<team key>": "<Labs project id>"}, "projects": {"<Linear project id>":
    "<Labs project id>"}}`, both optional; every wrong entry named at once (422). Team keys are
    kept uppercase, ids lowercase, as Linear's webhooks carry them."""
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    for name in settings:
        if name not in SETTINGS_KEYS:
            errors.append(FieldError(f"settings.{name}", "not a Linear setting: teams and "
                                     "projects map Linear to Labs projects"))
    for name in SETTINGS_KEYS:
        if name not in settings or settings[name] is None:
            continue
        given = settings[name]
        if not isinstance(given, dict):
            errors.append(FieldError(f"settings.{name}", "an object of "
                                     + ("Linear team keys" if name == "teams"
                                        else "Linear project ids") + " to Labs project ids"))
            continue
        mapped: dict[str, str] = {}
        for key, value in given.items():
            field = f"settings.{name}.{key}"
            linear = _team_key(key) if name == "teams" else _uuid_text(key)
            if linear is None:
                errors.append(FieldError(field, "not a Linear team key (letters and digits, "
                                         "e.g. ENG)" if name == "teams"
                                         else "not a Linear project id (a UUID)"))
                continue
            project = _uuid_text(value)
            if project is None:
                errors.append(FieldError(field, "a Labs project id (a UUID)"))
                continue
            mapped[linear] = project
        clean[name] = mapped
    if errors:
        raise InvalidArgument("Some Linear settings are not valid.", field_errors=errors)
    return clean


def mapped_projects(settings: dict[str, Any]) -> dict[str, uuid.UUID]:
    """Every Labs project the settings name, by the field naming it."""
    return {f"settings.{name}.{key}": uuid.UUID(value)
            for name in SETTINGS_KEYS for key, value in (settings.get(name) or {}).items()}


def project_for(settings: dict[str, Any], issue: IssueFacts) -> uuid.UUID | None:
    """The Labs project of an issue: its Linear project's, else its team's; None when neither
    is mapped (the issue stays out of Labs)."""
    projects, teams = settings.get("projects") or {}, settings.get("teams") or {}
    found = (projects.get(issue.project_id.lower()) if issue.project_id else None) \
        or teams.get(issue.team_key.upper())
    return uuid.UUID(found) if found else None


def watched(settings: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The team keys and Linear project ids the settings map (what the reconciler reads)."""
    return sorted(settings.get("teams") or {}), sorted(settings.get("projects") or {})


def watch_scope(settings: dict[str, Any]) -> str:
    """What the reconciler's cursor is of: the teams and projects mapped. Another mapping is
    another scope, read from the start (a team mapped later brings its open issues in, as a
    repository's first read does for GitHub)."""
    teams, projects = watched(settings)
    return hashlib.sha256(json.dumps([teams, projects]).encode()).hexdigest()[:32]


def _team_key(value: Any) -> str | None:
    key = str(value).strip().upper()
    return key if _TEAM_KEY.fullmatch(key) else None


def _uuid_text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        return None


# --- the link and the echo guard ---------------------------------------------------------------

@dataclass
class IssueLink:
    id: uuid.UUID
    org_id: uuid.UUID
    project_id: uuid.UUID
    task_id: uuid.UUID
    issue_id: str
    identifier: str
    team_id: str
    last_title: str
    last_description_hash: str
    last_state_id: str
    last_status: str
    last_assignee_id: str = ""
    last_estimate: int | None = None
    applying: bool = False
    removed: bool = False
    issue_updated_at: datetime | None = None
    synced_at: datetime | None = None


@dataclass
class IssuePush:
    id: uuid.UUID
    org_id: uuid.UUID
    link_id: uuid.UUID
    # What the issue should become (None: leave it): a title, and the Labs status whose
    # workflow state the issue should be in.
    title: str | None
    task_status: str | None
    # pending, done, failed (given up).
    status: str
    attempts: int
    next_attempt_at: datetime
    give_up_at: datetime
    last_error: str | None = None
    version: int = 1


def is_stale(link: IssueLink | None, issue: IssueFacts) -> bool:
    """Older than what the link last agreed on: a delivery that arrived late, or what the
    reconciler read before a newer webhook was applied."""
    return (link is not None and link.issue_updated_at is not None
            and issue.updated_at is not None and issue.updated_at < link.issue_updated_at)


def is_echo(link: IssueLink | None, issue: IssueFacts) -> bool:
    """The issue says exactly what the link last agreed on, and that was applied."""
    return (link is not None and not link.applying and not link.removed
            and link.last_title == issue.title
            and link.last_description_hash == issue.description_hash
            and link.last_state_id == (issue.state.id if issue.state else "")
            and link.last_assignee_id == (issue.assignee_id or "")
            and link.last_estimate == issue.estimate)


# What `task_changes` is told of the assignee: a Labs member's id, "" for nobody on Linear, or
# None when Linear's assignee is no Labs staff member (the task's assignee is left alone).
Assignee = str | None


def task_changes(link: IssueLink | None, issue: IssueFacts, task_status: str | None,
                 assignee: Assignee) -> dict[str, str]:
    """The task fields (API strings) that bring the task in line with the issue: against a live
    link, only what Linear changed since the last sync (an edit in Labs of another field
    stands); without one (a new task, an apply cut short, an issue back from the trash),
    everything. `task_status`: the task's now, if there is one."""
    if link is not None and (link.applying or link.removed):
        link = None
    fields: dict[str, str] = {}
    if link is None or link.last_title != issue.title:
        fields["title"] = issue.title
    if link is None or link.last_description_hash != issue.description_hash:
        if issue.description or link is not None or task_status is not None:
            fields["description"] = issue.description
    state_id = issue.state.id if issue.state else ""
    if (link is None or link.last_state_id != state_id) and not agrees(task_status, issue.state):
        fields["status"] = status_of(issue.state)
    if link is None or link.last_estimate != issue.estimate:
        if issue.estimate is not None or link is not None:
            fields["story_points"] = "" if issue.estimate is None else str(issue.estimate)
    if (link is None or link.last_assignee_id != (issue.assignee_id or "")) and \
            assignee is not None and (assignee or task_status is not None):
        fields["assignee_id"] = assignee
    return fields


def agreed_link(link: IssueLink, issue: IssueFacts, status: str) -> IssueLink:
    """`link` saying what the issue says now, and that the task's status is `status`."""
    link.last_title = issue.title
    link.last_description_hash = issue.description_hash
    link.last_state_id = issue.state.id if issue.state else ""
    link.last_status = status
    link.last_assignee_id = issue.assignee_id or ""
    link.last_estimate = issue.estimate
    link.team_id = issue.team_id or link.team_id
    link.identifier = issue.identifier or link.identifier
    link.removed = False
    if issue.updated_at is not None and (link.issue_updated_at is None
                                         or issue.updated_at > link.issue_updated_at):
        link.issue_updated_at = issue.updated_at
    return link


def wanted_of_issue(link: IssueLink, title: str, status: str) -> tuple[str | None, str | None]:
    """What a task change asks of its issue: (title, status), each None when the link says it
    already. Both None: the echo of our own apply, or nothing Linear shows."""
    return (title if title != link.last_title else None,
            status if status != link.last_status else None)


def removal_note(issue: IssueFacts | IssueLink, cancelled: bool) -> str:
    reference = issue.identifier or issue.issue_id if isinstance(issue, IssueLink) \
        else issue.reference
    then = "it was cancelled here; its history, comments and time stay" if cancelled else \
        "its status here stays as it was; its history, comments and time stay"
    return storable(f"The Linear issue {reference} was deleted in Linear: {then}. It is no "
                    "longer kept in line with Linear.", MAX_COMMENT)


def push_retry_delay(attempts: int, base: timedelta) -> timedelta:
    """After the `attempts`-th failure: base, 2 base, 4 base ... capped."""
    return timedelta(seconds=doubling(attempts, base.total_seconds(),
                                      PUSH_RETRY_CAP.total_seconds()))
