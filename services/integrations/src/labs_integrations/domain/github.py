"""GitHub's side of Labs, pure: webhook signatures, the issues a pull request closes, the echo
guard between an issue and its task, and what a task change asks of its issue.

The echo guard: a link remembers what the issue and the task last agreed on (title, open or
closed, a hash of the body). A webhook saying exactly that is the echo of our own change (or a
delivery seen in another form) and changes nothing; a task event whose task equals it is the
echo of our own apply and asks nothing of GitHub."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from labs_common.retries import doubling

SIGNATURE_PREFIX = "sha256="
ISSUE_ACTIONS = frozenset({"opened", "edited", "closed", "reopened", "assigned", "unassigned"})
PULL_REQUEST_ACTIONS = frozenset({"opened", "closed", "reopened"})
DEPLOYMENT_STATES = frozenset({"success", "failure", "error"})
MAX_PUSH_COMMITS = 20
OPEN, CLOSED = "open", "closed"
MAX_TITLE, MAX_DESCRIPTION, MAX_COMMENT = 500, 20_000, 10_000
DONE, TODO = "done", "todo"
# Outbound issue changes: the first retry after a minute, each next one twice as long (capped),
# given up after three days.
PUSH_RETRY_CAP = timedelta(hours=6)
PUSH_GIVE_UP = timedelta(days=3)
# The reconciler reads again what changed shortly before its cursor (clocks, in-flight writes).
RECONCILE_OVERLAP = timedelta(minutes=5)

_HEX = re.compile(r"[0-9a-f]+", re.ASCII)
_CLOSING = re.compile(r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+#(\d+)\b",
                      re.IGNORECASE)


def verify_signature(secret: str, payload: bytes, signature: str | None) -> bool:
    """X-Hub-Signature-256 is "sha256=" + hex HMAC-SHA256(secret, payload). With no secret
    configured nothing verifies (an empty key would let anyone sign)."""
    if not secret or not signature or not signature.startswith(SIGNATURE_PREFIX):
        return False
    given = signature[len(SIGNATURE_PREFIX):].strip().lower()
    # Hex of SHA-256 or nothing: anything else (non-ASCII included, which compare_digest
    # refuses on str) does not verify.
    if len(given) != 2 * hashlib.sha256().digest_size or not _HEX.fullmatch(given):
        return False
    expected = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), given.encode("ascii", "replace"))


def closing_references(*texts: str | None) -> list[int]:
    """Issue numbers a pull request's title or body closes: "closes #12", "Fixes #3, resolves
    #4" (GitHub's keywords, any case), in order of first mention."""
    found: dict[int, None] = {}
    for text in texts:
        for match in _CLOSING.finditer(text or ""):
            number = int(match.group(1))
            if 0 < number < 2**31:
                found.setdefault(number, None)
    return list(found)


def body_hash(body: str | None) -> str:
    return hashlib.sha256((body or "").encode()).hexdigest()


def repository_name(payload: dict[str, Any]) -> str | None:
    """The payload's "owner/name", lowercased (how projects' github_repo_url is kept)."""
    name = (payload.get("repository") or {}).get("full_name")
    return name.lower() if isinstance(name, str) and "/" in name else None


@dataclass(frozen=True)
class IssueFacts:
    """What GitHub says of an issue (a webhook's `issue`, or the REST issue the reconciler
    reads)."""

    number: int
    title: str
    body: str
    state: str
    url: str = ""
    assignee_login: str | None = None
    # GitHub's updated_at: how recent this snapshot is.
    updated_at: datetime | None = None

    @classmethod
    def of(cls, issue: dict[str, Any]) -> IssueFacts:
        assignee = issue.get("assignee") or next(iter(issue.get("assignees") or []), None)
        return cls(number=int(issue["number"]), title=task_title(issue.get("title")),
                   body=storable(issue.get("body"), MAX_DESCRIPTION),
                   state=CLOSED if issue.get("state") == CLOSED else OPEN,
                   url=str(issue.get("html_url") or ""),
                   assignee_login=(assignee or {}).get("login"),
                   updated_at=github_time(issue.get("updated_at")))

    @property
    def body_hash(self) -> str:
        return body_hash(self.body)


@dataclass
class IssueLink:
    id: uuid.UUID
    org_id: uuid.UUID
    project_id: uuid.UUID
    task_id: uuid.UUID
    repository: str
    issue_number: int
    last_title: str
    last_state: str
    last_body_hash: str
    applying: bool = False
    synced_at: datetime | None = None
    issue_updated_at: datetime | None = None


@dataclass
class IssuePush:
    id: uuid.UUID
    org_id: uuid.UUID
    link_id: uuid.UUID
    title: str | None
    state: str | None
    status: str
    attempts: int
    next_attempt_at: datetime
    give_up_at: datetime
    last_error: str | None = None
    # Raised by each newer change of the task: a send finishes the intent only if it is still
    # the version it claimed (a change that came in while the PATCH was in flight is sent next).
    version: int = 1


def github_time(value: Any) -> datetime | None:
    """GitHub's ISO 8601 times ("2026-12-01T09:30:00Z"); None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def is_stale(link: IssueLink | None, issue: IssueFacts) -> bool:
    """The snapshot is older than what the link last agreed on: a webhook that arrived late, or
    what the reconciler read before a newer webhook was applied. Applying it would undo the
    newer change."""
    return (link is not None and link.issue_updated_at is not None
            and issue.updated_at is not None and issue.updated_at < link.issue_updated_at)


def is_echo(link: IssueLink | None, issue: IssueFacts) -> bool:
    """The webhook says exactly what we last synced, and that was applied: nothing to do."""
    return (link is not None and not link.applying and link.last_title == issue.title
            and link.last_state == issue.state and link.last_body_hash == issue.body_hash)


def task_changes(link: IssueLink | None, issue: IssueFacts, task_status: str | None
                 ) -> dict[str, str]:
    """The task fields (API strings) that bring the task in line with the issue: against a link,
    only what GitHub changed since the last sync (a Labs-side edit of another field stands);
    without one (a new or newly found task), everything. `task_status`: the task's now, if any."""
    if link is not None and link.applying:
        link = None  # the last apply did not finish: bring everything in line
    fields: dict[str, str] = {}
    if link is None or link.last_title != issue.title:
        fields["title"] = issue.title
    if link is None or link.last_body_hash != issue.body_hash:
        fields["description"] = issue.body
    state_changed = link is None or link.last_state != issue.state
    if issue.state == CLOSED:
        if state_changed and task_status != DONE:
            fields["status"] = DONE
    elif state_changed and task_status in (DONE, None):
        fields["status"] = TODO
    return fields


def wanted_of_issue(link: IssueLink, title: str, done: bool) -> tuple[str | None, str | None]:
    """What a task change asks of its issue: (title, state), each None when the link already
    says it. Both None: the event is the echo of our own apply, or changes nothing GitHub
    shows."""
    state = CLOSED if done else OPEN
    return (title if title != link.last_title else None,
            state if state != link.last_state else None)


def push_retry_delay(attempts: int, base: timedelta) -> timedelta:
    """After the `attempts`-th failure: base, 2 base, 4 base ... capped."""
    return timedelta(seconds=doubling(attempts, base.total_seconds(),
                                      PUSH_RETRY_CAP.total_seconds()))


def storable(text: str | None, limit: int) -> str:
    """Text as Labs can keep it: no NUL, at most `limit` characters."""
    return (text or "").replace("\x00", "")[:limit]


def task_title(title: str | None) -> str:
    """A GitHub title as the task's (projects trims it and keeps 500 characters), so the title
    the link remembers is the one the task's events carry."""
    return storable(title, 10 * MAX_TITLE).strip()[:MAX_TITLE].strip() or "(untitled)"


def first_line(message: str | None) -> str:
    return (message or "").split("\n", 1)[0].strip()
