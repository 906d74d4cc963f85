"""Imports of Jira issues and Asana tasks into a project's tasks, pure: what an import asks, how
a platform's issue reads as a Labs task (status, the assignee's email, the estimate), and what a
re-import changes.

A re-import changes only what the platform changed since the last import: the link of an issue
keeps the task fields Labs was last given (`applied`), and a field is sent again only when the
issue now says something else. An edit made in Labs stands until the platform changes that
field."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from labs_common.errors import InvalidArgument
from labs_integrations.domain.connections import Platform

IMPORT_TRIGGER = "import"
IMPORT_PLATFORMS = frozenset({Platform.JIRA, Platform.ASANA})
# JQL travels in the query string of Jira's search (a GET): well within what URLs carry.
MAX_JQL = 2000
MAX_TITLE, MAX_DESCRIPTION = 500, 20_000
# The projects service's bound for a task's estimate.
MAX_HOURS = Decimal("100000")
CENTS = Decimal("0.01")
TASK_FIELDS = ("title", "description", "status", "assignee_id", "estimated_hours")

_ASANA_GID = re.compile(r"[0-9]{1,32}", re.ASCII)
# Asana sections are named by people: the words that say where a task stands.
_SECTION_STATUSES = (
    (re.compile(r"\b(done|complete[d]?|finished|shipped|closed)\b", re.I), "done"),
    (re.compile(r"\b(review|qa|testing)\b", re.I), "in_review"),
    (re.compile(r"\b(in progress|doing|wip|started|ongoing)\b", re.I), "in_progress"),
    (re.compile(r"\b(backlog|icebox|someday|later)\b", re.I), "backlog"),
)
_JIRA_CATEGORIES = {"new": "todo", "indeterminate": "in_progress", "done": "done"}
# Asana's own "Estimated time" field counts minutes; a number field named so counts hours.
_ESTIMATE_FIELD = re.compile(r"^\s*(estimate|estimated|estimation)\b", re.I)
# Atlassian Document Format: the nodes that end a line of text.
_ADF_BLOCKS = frozenset({"paragraph", "heading", "blockquote", "codeBlock", "listItem", "rule",
                         "panel", "tableRow", "mediaSingle", "taskItem", "decisionItem"})


@dataclass(frozen=True)
class ImportRequest:
    """What `POST /integrations/{id}/import` asked: `id` is its sync log's (the job id)."""

    id: uuid.UUID
    org_id: uuid.UUID
    connection_id: uuid.UUID
    project_id: uuid.UUID
    source: str
    requested_by: uuid.UUID


@dataclass(frozen=True)
class ImportedIssue:
    """A platform's issue as a task will hold it. `reference` is how its people name it (a Jira
    key, an Asana task's gid), for the sync log."""

    external_id: str
    reference: str
    title: str
    description: str = ""
    status: str = "todo"
    assignee_email: str | None = None
    estimated_hours: Decimal | None = None


@dataclass
class IssueLink:
    """The task an issue became in this org, and the fields it was last given."""

    platform: Platform
    external_id: str
    project_id: uuid.UUID
    task_id: uuid.UUID
    applied: dict[str, str] = field(default_factory=dict)
    id: uuid.UUID = field(default_factory=uuid.uuid4)


def check_source(platform: Platform, source: str) -> str:
    """A JQL query for Jira, a project gid for Asana; anything else is a 422 naming `source`."""
    source = (source or "").strip()
    if not source:
        raise InvalidArgument.on("source", "a JQL query (Jira) or an Asana project id is "
                                 "required")
    if "\x00" in source:
        raise InvalidArgument.on("source", "must not contain NUL characters")
    if platform is Platform.ASANA and not _ASANA_GID.fullmatch(source):
        raise InvalidArgument.on("source", "an Asana project id: the digits of its URL, "
                                 "app.asana.com/0/<project id>/...")
    if platform is Platform.JIRA and len(source) > MAX_JQL:
        raise InvalidArgument.on("source", f"a JQL query of at most {MAX_JQL} characters")
    return source


def storable(text: Any, limit: int) -> str:
    """Text as a task keeps it: no NUL, at most `limit` characters."""
    return ("" if text is None else str(text)).replace("\x00", "")[:limit]


def task_title(title: Any) -> str:
    return storable(title, 10 * MAX_TITLE).strip()[:MAX_TITLE].strip() or "(untitled)"


def hours(value: Any, *, per_hour: int = 1) -> Decimal | None:
    """`value` units (`per_hour` of them an hour) as hours to the cent; None when absent,
    negative or beyond what a task may hold."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value)) / per_hour
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number < 0:
        return None
    number = number.quantize(CENTS)
    return number if number <= MAX_HOURS else None


def email_of(value: Any) -> str | None:
    text = str(value or "").strip().lower()
    return text if "@" in text else None


# --- Jira --------------------------------------------------------------------------------------

def jira_status(category_key: str | None) -> str:
    """By the status's category, as every Jira workflow has one: to do, in progress, done."""
    return _JIRA_CATEGORIES.get(str(category_key or "").lower(), "todo")


def adf_text(node: Any) -> str:
    """A Jira description (Atlassian Document Format, REST v3) as plain text: its words, a line
    per paragraph, heading or list item; mentions, emoji and links by their text."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node
    lines: list[str] = []
    current: list[str] = []

    def walk(item: Any) -> None:
        if not isinstance(item, dict):
            return
        kind = item.get("type")
        attrs = item.get("attrs") or {}
        if kind == "text":
            current.append(str(item.get("text") or ""))
        elif kind == "hardBreak":
            current.append("\n")
        elif kind == "mention":
            current.append(str(attrs.get("text") or ""))
        elif kind == "emoji":
            current.append(str(attrs.get("text") or attrs.get("shortName") or ""))
        elif kind in ("inlineCard", "blockCard", "embedCard"):
            current.append(str(attrs.get("url") or ""))
        for child in item.get("content") or []:
            walk(child)
        if kind in _ADF_BLOCKS:
            end_line()

    def end_line() -> None:
        if current:
            lines.append("".join(current).rstrip())
            current.clear()

    walk(node)
    end_line()
    return "\n".join(lines).strip()


def jira_issue(raw: dict[str, Any]) -> ImportedIssue:
    """An issue of Jira's search (REST v3, `fields` summary, description, status, assignee,
    timeoriginalestimate)."""
    fields = raw.get("fields") or {}
    status = fields.get("status") or {}
    assignee = fields.get("assignee") or {}
    return ImportedIssue(
        external_id=str(raw["id"]), reference=str(raw.get("key") or raw["id"]),
        title=task_title(fields.get("summary")),
        description=storable(adf_text(fields.get("description")), MAX_DESCRIPTION),
        status=jira_status((status.get("statusCategory") or {}).get("key")),
        assignee_email=email_of(assignee.get("emailAddress")),
        estimated_hours=hours(fields.get("timeoriginalestimate"), per_hour=3600))


# --- Asana -------------------------------------------------------------------------------------

def asana_status(completed: bool, section: str | None) -> str:
    """Completed is done; else the section says it ("In progress", "Review", "Backlog"...),
    and a section that says nothing of it is to do."""
    if completed:
        return "done"
    for pattern, status in _SECTION_STATUSES:
        if section and pattern.search(section):
            return status
    return "todo"


def asana_estimate(custom_fields: Iterable[dict[str, Any]] | None) -> Decimal | None:
    """The first number field named like "Estimate", "Estimated hours" or Asana's "Estimated
    time" (a duration field: minutes)."""
    for found in custom_fields or []:
        if not _ESTIMATE_FIELD.search(str(found.get("name") or "")) or \
                found.get("number_value") is None:
            continue
        minutes = found.get("representation_type") == "duration"
        return hours(found.get("number_value"), per_hour=60 if minutes else 1)
    return None


def asana_task(raw: dict[str, Any], project_gid: str) -> ImportedIssue:
    """A task of Asana's `GET /projects/{gid}/tasks`; its section is the one it has in that
    project (a task may be in several)."""
    memberships = raw.get("memberships") or []
    mine = [m for m in memberships if str((m.get("project") or {}).get("gid")) == project_gid]
    section = ((mine or memberships or [{}])[0].get("section") or {}).get("name")
    return ImportedIssue(
        external_id=str(raw["gid"]), reference=str(raw["gid"]),
        title=task_title(raw.get("name")),
        description=storable(raw.get("notes"), MAX_DESCRIPTION),
        status=asana_status(bool(raw.get("completed")), section),
        assignee_email=email_of((raw.get("assignee") or {}).get("email")),
        estimated_hours=asana_estimate(raw.get("custom_fields")))


# --- issues as tasks ---------------------------------------------------------------------------

def task_fields(issue: ImportedIssue, assignee_id: uuid.UUID | None) -> dict[str, str]:
    """The task's fields as the projects service takes them (an empty string clears)."""
    return {"title": issue.title, "description": issue.description, "status": issue.status,
            "assignee_id": str(assignee_id) if assignee_id else "",
            "estimated_hours": str(issue.estimated_hours)
            if issue.estimated_hours is not None else ""}


def changed_fields(applied: dict[str, str], desired: dict[str, str]) -> dict[str, str]:
    """What the issue says now that Labs was not told at the last import."""
    return {name: value for name, value in desired.items() if applied.get(name) != value}
