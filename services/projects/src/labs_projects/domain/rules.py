"""Rules of clients and projects: field validation and the project status workflow. Pure."""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation

from labs_common.currency import currency_code
from labs_common.errors import Conflict, FieldError, FieldErrors, InvalidArgument
from labs_common.field_masks import refuse_unsettable
from labs_projects.domain.model import BudgetType, Priority, Project, ProjectStatus

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_GITHUB = re.compile(r"^https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/?$")
_SLACK_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,30}$")
MAX_NAME = 200
MAX_DESCRIPTION = 20_000
# NUMERIC(14, 2): twelve digits before the point are more than any agency budget.
MAX_MONEY = Decimal("999999999999.99")
MAX_HOURS = Decimal("99999999.99")
# NUMERIC(12, 2): an hourly rate.
MAX_RATE = Decimal("9999999999.99")
EARLIEST = date(1990, 1, 1)
LATEST = date(2200, 12, 31)

# From each status, where a project may go next. Reopening a completed project and restoring an
# archived one are allowed because agencies do both; skipping from planning straight to completed
# is not, since a project that never ran has nothing to complete.
TRANSITIONS: dict[ProjectStatus, frozenset[ProjectStatus]] = {
    ProjectStatus.PLANNING: frozenset(
        {ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD, ProjectStatus.ARCHIVED}
    ),
    ProjectStatus.ACTIVE: frozenset(
        {ProjectStatus.ON_HOLD, ProjectStatus.COMPLETED, ProjectStatus.ARCHIVED}
    ),
    ProjectStatus.ON_HOLD: frozenset(
        {ProjectStatus.ACTIVE, ProjectStatus.COMPLETED, ProjectStatus.ARCHIVED}
    ),
    ProjectStatus.COMPLETED: frozenset({ProjectStatus.ACTIVE, ProjectStatus.ARCHIVED}),
    ProjectStatus.ARCHIVED: frozenset({ProjectStatus.PLANNING, ProjectStatus.ACTIVE}),
}


def check_transition(current: ProjectStatus, new: ProjectStatus) -> None:
    if new != current and new not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current]))
        raise Conflict(
            f"A {current} project cannot become {new}; from {current} it may become {allowed}.",
            reason="INVALID_STATUS_TRANSITION",
            metadata={"from": current.value, "to": new.value},
        )


def check_storable(value: str, field: str) -> str:
    """PostgreSQL text cannot hold NUL characters; refuse them instead of failing to store."""
    if "\x00" in (value or ""):
        raise InvalidArgument.on(field, "must not contain NUL characters")
    return value or ""


def check_name(value: str, field: str = "name") -> str:
    value = check_storable(value, field).strip()
    if not value:
        raise InvalidArgument.on(field, "is required")
    if len(value) > MAX_NAME:
        raise InvalidArgument.on(field, f"must be at most {MAX_NAME} characters")
    return value


def check_text(value: str, field: str, limit: int = MAX_DESCRIPTION) -> str:
    value = check_storable(value, field)
    if len(value) > limit:
        raise InvalidArgument.on(field, f"must be at most {limit} characters")
    return value


def check_email(value: str, field: str = "email") -> str:
    value = check_storable(value, field).strip().lower()
    if value and (len(value) > 254 or not _EMAIL.match(value)):
        raise InvalidArgument.on(field, "is not a valid email address")
    return value


def check_currency(value: str, field: str = "currency", default: str = "USD") -> str:
    return currency_code((value or "").strip() or default, field)


def decimal_or_none(
    value: str, field: str, *, limit: Decimal = MAX_MONEY, allow_zero: bool = True
) -> Decimal | None:
    """A non-negative decimal string with at most two decimals; empty means absent."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise InvalidArgument.on(field, "must be a decimal number such as 1250.00") from None
    if not number.is_finite():
        raise InvalidArgument.on(field, "must be a finite number")
    if number < 0 or (number == 0 and not allow_zero):
        raise InvalidArgument.on(field, "must be positive" if not allow_zero else "must be ≥ 0")
    if number > limit:
        raise InvalidArgument.on(field, f"must be at most {limit}")
    if number != number.quantize(Decimal("0.01")):
        raise InvalidArgument.on(field, "must have at most 2 decimals")
    return number.quantize(Decimal("0.01"))


def date_or_none(value: str, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise InvalidArgument.on(field, "must be a date YYYY-MM-DD") from None
    if not EARLIEST <= parsed <= LATEST:
        raise InvalidArgument.on(field, f"must be between {EARLIEST} and {LATEST}")
    return parsed


def uuid_or_none(value: str, field: str) -> uuid.UUID | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidArgument.on(field, "must be a UUID") from None


def check_github_repo(value: str) -> str:
    value = (value or "").strip()
    if value and not _GITHUB.match(value):
        raise InvalidArgument.on(
            "github_repo_url", "must look like https://github.com/<owner>/<repo>"
        )
    return value


def check_slack_channel(value: str) -> str:
    value = (value or "").strip()
    if value and not _SLACK_CHANNEL.match(value):
        raise InvalidArgument.on("slack_channel_id", "must be a Slack channel id such as C0123ABCD")
    return value


def check_project(project: Project) -> None:
    """Rules across fields, checked after every create or update; every one broken is named."""
    problems = FieldErrors()
    if project.start_date and project.end_date and project.end_date < project.start_date:
        problems.errors.append(FieldError("end_date", "must not be before start_date"))
    if project.budget_type is BudgetType.FIXED_FEE and project.budget_total is None:
        problems.errors.append(FieldError("budget_total", "is required for a fixed_fee budget"))
    problems.raise_any()


# Project fields a caller may set (create) or name in an update mask, in the message's order.
PROJECT_FIELD_NAMES = (
    "name",
    "client_id",
    "description",
    "status",
    "priority",
    "budget_type",
    "budget_total",
    "budget_currency",
    "budget_hours",
    "start_date",
    "end_date",
    "billing_rate_override",
    "project_manager_id",
    "github_repo_url",
    "slack_channel_id",
)
PROJECT_FIELDS = frozenset(PROJECT_FIELD_NAMES)


def parse_enum(enum_type, value: str, field: str):
    try:
        return enum_type(value)
    except ValueError:
        names = ", ".join(member.value for member in enum_type)
        raise InvalidArgument.on(field, f"must be one of {names}") from None


def apply_project_fields(project: Project, raw: dict[str, str]) -> list[str]:
    """Validate and set the given fields (all strings, enums by their API names; an empty string
    clears an optional field). Status is not set here: it follows `check_transition`.
    Answers the names of the fields whose value changed."""
    refuse_unsettable(raw, PROJECT_FIELDS)
    parsers = {
        "name": lambda v: check_name(v),
        "client_id": lambda v: uuid_or_none(v, "client_id"),
        "description": lambda v: check_text(v, "description"),
        "priority": lambda v: parse_enum(Priority, v, "priority"),
        "budget_type": lambda v: parse_enum(BudgetType, v, "budget_type"),
        "budget_total": lambda v: decimal_or_none(v, "budget_total"),
        "budget_currency": lambda v: check_currency(v, "budget_currency"),
        "budget_hours": lambda v: decimal_or_none(v, "budget_hours", limit=MAX_HOURS),
        "start_date": lambda v: date_or_none(v, "start_date"),
        "end_date": lambda v: date_or_none(v, "end_date"),
        "billing_rate_override": lambda v: decimal_or_none(
            v, "billing_rate_override", limit=MAX_RATE, allow_zero=False
        ),
        "project_manager_id": lambda v: uuid_or_none(v, "project_manager_id"),
        "github_repo_url": check_github_repo,
        "slack_channel_id": check_slack_channel,
    }
    # Every wrong field is named at once, with the rules across the fields that were right.
    problems = FieldErrors()
    changed = []
    for field in sorted(raw):
        if field == "status":
            continue
        wrong = len(problems.errors)
        value = problems.check(lambda field=field: parsers[field](raw[field]))
        if len(problems.errors) == wrong and getattr(project, field) != value:
            setattr(project, field, value)
            changed.append(field)
    if problems.errors:
        problems.check(lambda: check_project(project))
    problems.raise_any()
    return changed


def parse_status(value: str) -> ProjectStatus:
    return parse_enum(ProjectStatus, value, "status")
