"""labs.time.v1 messages ⇄ the API's JSON shapes."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from labs.time.v1 import time_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_gateway.schemas.common import timestamp
from labs_gateway.schemas.time import ExpensePublic, TimeEntryPublic

STATUS_NAMES = {
    pb.ENTRY_STATUS_DRAFT: "draft",
    pb.ENTRY_STATUS_SUBMITTED: "submitted",
    pb.ENTRY_STATUS_APPROVED: "approved",
}


def _or_none(value: str) -> str | None:
    return value or None


def _hours(value: str) -> float | None:
    return float(value) if value else None


def hours_text(value: float) -> str:
    """A JSON number as the decimal the service validates (1.1 stays "1.1", not 1.1000000001)."""
    return repr(float(value))


def money_text(value: str | float) -> str:
    return value if isinstance(value, str) else repr(float(value))


def instant(value: str, field: str) -> Timestamp:
    """An RFC 3339 instant with its offset (or Z) as a proto Timestamp; 422 naming the field."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as error:
        raise InvalidArgument.on(field, "must be an RFC 3339 instant") from error
    if parsed.tzinfo is None:
        raise InvalidArgument.on(field, "must carry a UTC offset, e.g. 2026-03-31T09:00:00Z")
    stamp = Timestamp()
    stamp.FromDatetime(parsed)
    return stamp


def entry_public(e: pb.TimeEntry) -> TimeEntryPublic:
    return TimeEntryPublic(
        id=e.id, project_id=e.project_id, task_id=_or_none(e.task_id), user_id=e.user_id,
        resource_id=_or_none(e.resource_id), date_worked=e.date_worked, hours=_hours(e.hours),
        rounded_hours=_hours(e.rounded_hours), started_at=timestamp(e.started_at),
        ended_at=timestamp(e.ended_at), is_running=e.is_running, billable=e.billable,
        billable_rate=_or_none(e.billable_rate), cost_rate=_or_none(e.cost_rate),
        currency=_or_none(e.currency), rate_source=e.rate_source or "none", notes=e.notes,
        status=STATUS_NAMES.get(e.status, "draft"), is_locked=e.is_locked,
        locked_reason=_or_none(e.locked_reason), invoice_id=_or_none(e.invoice_id),
        invoiced=e.invoiced, source=e.source, created_at=timestamp(e.created_at),
        updated_at=timestamp(e.updated_at),
    )


def expense_public(x: pb.Expense) -> ExpensePublic:
    return ExpensePublic(
        id=x.id, project_id=x.project_id, user_id=x.user_id, description=x.description,
        amount=x.amount, currency=x.currency, expense_date=x.expense_date, category=x.category,
        billable=x.billable, invoice_id=_or_none(x.invoice_id),
        created_at=timestamp(x.created_at), updated_at=timestamp(x.updated_at),
    )
