"""Domain objects → labs.time.v1 messages (API and event payloads)."""

from __future__ import annotations

from decimal import Decimal

from labs.time.v1 import events_pb2
from labs.time.v1 import time_service_pb2 as pb
from labs_common.protobuf import timestamp
from labs_time.domain.model import Expense, TimeEntry

STATUS_TO_PROTO = {
    "draft": pb.ENTRY_STATUS_DRAFT,
    "submitted": pb.ENTRY_STATUS_SUBMITTED,
    "approved": pb.ENTRY_STATUS_APPROVED,
}


def _dec(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _id(value) -> str:
    return "" if value is None else str(value)


def entry(e: TimeEntry) -> pb.TimeEntry:
    return pb.TimeEntry(
        id=str(e.id), project_id=str(e.project_id), task_id=_id(e.task_id),
        user_id=_id(e.user_id), resource_id=_id(e.resource_id),
        date_worked=e.date_worked.isoformat(), hours=_dec(e.hours),
        rounded_hours=_dec(e.rounded_hours), started_at=timestamp(e.started_at),
        ended_at=timestamp(e.ended_at), is_running=e.is_running, billable=e.billable,
        billable_rate=_dec(e.rates.billable_rate), cost_rate=_dec(e.rates.cost_rate),
        currency=e.rates.currency or "", rate_source=e.rates.source, notes=e.notes,
        status=STATUS_TO_PROTO[e.status], is_locked=e.is_locked, locked_reason=e.locked_reason,
        invoice_id=_id(e.invoice_id), source=e.source, created_at=timestamp(e.created_at),
        updated_at=timestamp(e.updated_at), etag=e.etag, invoiced=e.invoiced,
    )


def entry_changed(e: TimeEntry, reason: str = "", changed: list[str] | None = None
                  ) -> events_pb2.EntryChanged:
    return events_pb2.EntryChanged(
        entry_id=str(e.id), project_id=str(e.project_id), task_id=_id(e.task_id),
        user_id=_id(e.user_id), date_worked=e.date_worked.isoformat(), hours=_dec(e.hours),
        rounded_hours=_dec(e.rounded_hours), billable=e.billable,
        billable_rate=_dec(e.rates.billable_rate), cost_rate=_dec(e.rates.cost_rate),
        currency=e.rates.currency or "", rate_source=e.rates.source, status=e.status,
        is_locked=e.is_locked, invoice_id=_id(e.invoice_id), source=e.source,
        is_running=e.is_running, reason=reason, changed_fields=changed or [], entry=entry(e),
    )


def expense(x: Expense) -> pb.Expense:
    return pb.Expense(
        id=str(x.id), project_id=str(x.project_id), user_id=str(x.user_id),
        description=x.description, amount=str(x.amount), currency=x.currency,
        expense_date=x.expense_date.isoformat(), category=x.category, billable=x.billable,
        invoice_id=_id(x.invoice_id), created_at=timestamp(x.created_at),
        updated_at=timestamp(x.updated_at), etag=x.etag,
    )


def expense_changed(x: Expense, changed: list[str] | None = None) -> events_pb2.ExpenseChanged:
    return events_pb2.ExpenseChanged(
        expense_id=str(x.id), project_id=str(x.project_id), user_id=str(x.user_id),
        amount=str(x.amount), currency=x.currency, expense_date=x.expense_date.isoformat(),
        category=x.category, billable=x.billable, changed_fields=changed or [],
        expense=expense(x),
    )


def import_job(row) -> pb.ImportJob:
    m = row._mapping
    return pb.ImportJob(
        id=str(m["id"]), status=m["status"],
        total=m["total"], processed=m["processed"], imported=m["imported"],
        errors=[pb.ImportError(row=e["row"], field=e["field"], message=e["message"])
                for e in m["errors"]],
        format=m["format"], created_at=timestamp(m["created_at"]),
        finished_at=timestamp(m["finished_at"]),
    )
