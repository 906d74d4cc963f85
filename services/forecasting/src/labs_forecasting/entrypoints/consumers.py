"""Durable subscriptions of the forecasting service: everything its read model is made of, from
the services that own it (projects, time, capacity, billing, identity). Each event is decoded
here into plain data and handed to service_layer/projection.py; the consumer framework claims
its id in the inbox, so a redelivery changes nothing, and each row keeps the time of the event
it came from, so an older event (events of one entry travel on different durables) changes
nothing either."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from google.protobuf import json_format

from labs.billing.v1 import billing_service_pb2 as billing_pb
from labs.billing.v1 import events_pb2 as billing_events
from labs.capacity.v1 import capacity_service_pb2 as capacity_pb
from labs.capacity.v1 import events_pb2 as capacity_events
from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2 as identity_events
from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs.time.v1 import events_pb2 as time_events
from labs_common.events.consumer import Subscription
from labs_common.events.payloads import (
    field_date,
    field_decimal,
    field_uuid,
    occurred_at,
    project_of,
    unpack_into,
)
from labs_common.protobuf import enum_api_name
from labs_forecasting.domain.model import BudgetType, Entry, Expense, Project
from labs_forecasting.service_layer import alerts, projection
from labs_forecasting.service_layer.unit_of_work import ForecastingUnitOfWork

CONSUMER = "forecasting"
Envelope = envelope_pb2.Envelope
Uow = ForecastingUnitOfWork


def subscriptions() -> list[Subscription]:
    return [
        Subscription(CONSUMER, "projects", "project.*", on_project),
        Subscription(CONSUMER, "time", "entry.*", on_entry),
        Subscription(CONSUMER, "time", "expense.*", on_expense),
        Subscription(CONSUMER, "capacity", "resource.*", on_resource),
        Subscription(CONSUMER, "capacity", "allocation.changed", on_allocation),
        Subscription(CONSUMER, "billing", "invoice.*", on_invoice),
        Subscription(CONSUMER, "identity", "organization.*", on_organization),
        Subscription(CONSUMER, "identity", "member.*", on_member),
        Subscription(CONSUMER, "identity", "profile.updated", on_profile),
    ]


# Backoff tops out at 60 s between deliveries: about a week of an SMTP outage before an alert
# mail is parked in the dead-letter stream (as identity's mails).
MAIL_MAX_DELIVER = 10_000


def mail_subscriptions(mailer) -> list[Subscription]:
    """Forecasting's own outbox consumer: alert emails (alert.mail_requested), sent with
    `mailer` (labs_common.mail.Mailer); SMTP down → redelivered, never lost."""

    async def on_mail_requested(envelope: Envelope, uow: Uow) -> None:
        await alerts.send_alert_mail(envelope, uow, mailer)

    return [Subscription("forecasting-mailer", "forecasting", "alert.mail_requested",
                         on_mail_requested, max_deliver=MAIL_MAX_DELIVER)]


def _enum(enum_type, value: int) -> str:
    return enum_api_name(enum_type.DESCRIPTOR, enum_type.Name(value))


async def on_project(envelope: Envelope, uow: Uow) -> None:
    if (found := project_of(envelope)) is None:
        return  # a task, sprint... of a project: not forecasting's business
    p, archived = found
    budget_type = (_enum(projects_pb.BudgetType, p.budget_type)
                   if p.budget_type else BudgetType.TIME_AND_MATERIALS.value)
    status = "archived" if archived else _enum(projects_pb.ProjectStatus, p.status)
    await projection.project_heard(uow, Project(
        id=uuid.UUID(p.id), org_id=uow.scope.org_id,  # type: ignore[arg-type]
        name=p.name, budget_type=BudgetType(budget_type), currency=p.budget_currency or "USD",
        client_id=field_uuid(p.client_id), client_name=p.client_name, status=status,
        budget_total=field_decimal(p.budget_total), budget_hours=field_decimal(p.budget_hours),
        start_date=field_date(p.start_date), end_date=field_date(p.end_date),
        as_of=occurred_at(envelope)))


async def on_entry(envelope: Envelope, uow: Uow) -> None:
    imported = time_events.EntriesImported()
    if unpack_into(envelope, imported):
        await on_entries_imported(envelope, imported, uow)
        return
    event = time_events.EntryChanged()
    if not unpack_into(envelope, event):
        return
    entry_id, project_id = uuid.UUID(event.entry_id), uuid.UUID(event.project_id)
    resource_id = field_uuid(event.entry.resource_id)
    user_id = field_uuid(event.user_id)
    counted = envelope.type != "entry.deleted" and not event.is_running and event.hours
    entry = Entry(
        id=entry_id, project_id=project_id, date_worked=date.fromisoformat(event.date_worked),
        hours=Decimal(event.hours), rounded_hours=Decimal(event.rounded_hours or event.hours),
        billable=event.billable, billable_rate=Decimal(event.billable_rate or "0"),
        cost_rate=field_decimal(event.cost_rate), currency=event.currency or "USD",
        user_id=user_id, resource_id=resource_id,
    ) if counted else None
    await projection.entry_heard(uow, entry_id, project_id, entry, occurred_at(envelope),
                                 user_id=user_id, resource_id=resource_id)


async def on_entries_imported(envelope: Envelope, event: time_events.EntriesImported,
                              uow: Uow) -> None:
    """entry.imported: up to 1,000 finished entries as columns, each heard as if created (by
    project, so the totals rows are locked in one order)."""
    columns = zip(event.entry_ids, event.project_ids, event.user_ids, event.dates_worked,
                  event.hours, event.rounded_hours, event.billable, event.billable_rates,
                  event.cost_rates, event.currencies, event.resource_ids, strict=False)
    found = []
    for (entry_id, project_id, user_id, worked, hours, rounded, billable, rate, cost,
         currency, resource_id) in columns:
        found.append(Entry(
            id=uuid.UUID(entry_id), project_id=uuid.UUID(project_id),
            date_worked=date.fromisoformat(worked), hours=Decimal(hours),
            rounded_hours=Decimal(rounded or hours), billable=billable,
            billable_rate=Decimal(rate or "0"), cost_rate=field_decimal(cost),
            currency=currency or "USD", user_id=field_uuid(user_id),
            resource_id=field_uuid(resource_id)))
    for entry in sorted(found, key=lambda e: (e.project_id, e.id)):
        await projection.entry_heard(uow, entry.id, entry.project_id, entry, occurred_at(envelope),
                                     user_id=entry.user_id, resource_id=entry.resource_id)


async def on_expense(envelope: Envelope, uow: Uow) -> None:
    event = time_events.ExpenseChanged()
    if not unpack_into(envelope, event):
        return
    expense_id, project_id = uuid.UUID(event.expense_id), uuid.UUID(event.project_id)
    expense = None if envelope.type == "expense.deleted" else Expense(
        id=expense_id, project_id=project_id, amount=Decimal(event.amount),
        currency=event.currency, billable=event.billable,
        expense_date=date.fromisoformat(event.expense_date))
    await projection.expense_heard(uow, expense_id, project_id, expense, occurred_at(envelope))


async def on_resource(envelope: Envelope, uow: Uow) -> None:
    for kind in (capacity_events.ResourceOverAllocated,
                 capacity_events.ResourceOverAllocationResolved):
        over = kind()
        if unpack_into(envelope, over):  # the over_allocation rule, per resource-week
            await alerts.over_allocation_heard(
                uow, uuid.UUID(over.resource_id), over.week_start,
                over=kind is capacity_events.ResourceOverAllocated, name=over.name,
                allocated_hours=over.allocated_hours, available_hours=over.available_hours)
            return
    rates = capacity_events.ResourceRatesChanged()
    if unpack_into(envelope, rates):
        rate, resource_id = rates.rate, uuid.UUID(rates.resource_id)
        since = field_date(rate.effective_from)
        await uow.rates.put(resource_id, since or date.min, billing_rate=Decimal(
            rate.billing_rate or "0"), cost_rate=field_decimal(rate.cost_rate),
            currency=rate.currency or "USD")
        if rate.cost_rate:
            await projection.cost_rate_set(uow, resource_id, Decimal(rate.cost_rate), since)
        return
    for kind in (capacity_events.ResourceCreated, capacity_events.ResourceUpdated):
        event = kind()
        if unpack_into(envelope, event):
            r = event.resource  # type: ignore[attr-defined]
            await uow.resources.put_newer(
                uuid.UUID(r.id), occurred_at(envelope), name=r.name, user_id=field_uuid(r.user_id),
                seniority_level=_enum(capacity_pb.SeniorityLevel, r.seniority_level)
                if r.seniority_level else "mid",
                capacity_hours_per_week=Decimal(r.capacity_hours_per_week or "40"), active=True)
            if kind is capacity_events.ResourceCreated and r.cost_rate:
                await projection.cost_rate_set(uow, uuid.UUID(r.id), Decimal(r.cost_rate), None)
            return


async def on_allocation(envelope: Envelope, uow: Uow) -> None:
    event = capacity_events.AllocationChanged()
    if not unpack_into(envelope, event):
        return
    a = event.allocation
    await uow.allocations.put_newer(
        uuid.UUID(a.id), occurred_at(envelope), project_id=uuid.UUID(a.project_id),
        resource_id=uuid.UUID(a.resource_id), allocated_hours=Decimal(a.allocated_hours),
        start_date=date.fromisoformat(a.start_date), end_date=date.fromisoformat(a.end_date),
        tentative=a.tentative, billing_rate=field_decimal(event.billing_rate),
        cost_rate=field_decimal(event.cost_rate), currency=event.currency or None,
        counted=event.change != capacity_events.ALLOCATION_CHANGE_DELETED)


async def on_invoice(envelope: Envelope, uow: Uow) -> None:
    deleted = billing_events.InvoiceDeleted()
    if unpack_into(envelope, deleted):
        invoice_id = field_uuid(deleted.invoice_id)
        row = await uow.invoices.row(invoice_id) if invoice_id is not None else None
        if row is not None:  # the whole row again: an upsert's proposed row must be complete
            kept = {name: getattr(row, name) for name in (
                "project_id", "client_id", "currency", "total", "amount_paid", "issue_date",
                "due_date")}
            await uow.invoices.put_newer(invoice_id, occurred_at(envelope), status="deleted",
                                         **kept)
        return
    for kind in (billing_events.InvoiceChanged, billing_events.InvoiceDrafted,
                 billing_events.PaymentRecorded):
        event = kind()
        if unpack_into(envelope, event):
            i = event.invoice  # type: ignore[attr-defined]
            status = _enum(billing_pb.InvoiceStatus, i.status)
            newer = await uow.invoices.put_newer(
                uuid.UUID(i.id), occurred_at(envelope), project_id=field_uuid(i.project_id),
                client_id=field_uuid(i.client_id), status=status,
                currency=i.currency, total=Decimal(i.total or "0"),
                amount_paid=Decimal(i.amount_paid or "0"), issue_date=field_date(i.issue_date),
                due_date=field_date(i.due_date))
            if newer:  # invoice_overdue: raised on invoice.overdue, cleared once paid or void
                await alerts.invoice_heard(
                    uow, uuid.UUID(i.id), field_uuid(i.project_id), status=status, number=i.number,
                    amount_due=i.amount_due, currency=i.currency, due_date=i.due_date)
            return


async def on_organization(envelope: Envelope, uow: Uow) -> None:
    for kind in (identity_events.OrganizationCreated, identity_events.OrganizationUpdated):
        event = kind()
        if unpack_into(envelope, event):
            org = event.organization  # type: ignore[attr-defined]
            settings = json_format.MessageToDict(org.settings) if org.HasField("settings") else {}
            rates = settings.get("exchange_rates")
            rates = {str(k).upper(): str(v) for k, v in rates.items()
                     if _is_rate(v)} if isinstance(rates, dict) else {}
            visible = settings.get("financials_visible_to")
            await uow.organizations.put_newer(
                occurred_at(envelope), currency=org.currency or "USD",
                timezone=org.timezone or "UTC",
                exchange_rates=rates, financials_visible_to=visible if visible in (
                    "manager", "member", "viewer") else "manager")
            return


async def on_member(envelope: Envelope, uow: Uow) -> None:
    """Identity's members: who receives alerts, at which address, with which role (their
    notification preferences come with profile.updated: on_profile)."""
    as_of = occurred_at(envelope)
    joined = identity_events.MemberJoined()
    if unpack_into(envelope, joined):
        user = joined.member.user
        name = " ".join(p for p in (user.first_name, user.last_name) if p)
        await alerts.member_heard(uow, uuid.UUID(user.id), as_of, email=user.email, name=name,
                                  role=_enum(identity_pb.Role, joined.member.role), active=True)
        return
    changed = identity_events.MemberRoleChanged()
    if unpack_into(envelope, changed):
        await alerts.member_heard(uow, uuid.UUID(changed.user_id), as_of,
                                  role=_enum(identity_pb.Role, changed.new_role))
        return
    removed = identity_events.MemberRemoved()
    if unpack_into(envelope, removed):
        values = {"email": removed.email} if removed.email else {}
        await alerts.member_heard(uow, uuid.UUID(removed.user_id), as_of, active=False,
                                  **values)


async def on_profile(envelope: Envelope, uow: Uow) -> None:
    """A person's profile changed: their name and notification_preferences ({alert type:
    {channel: bool}}), which decide whether an alert reaches them by email, Slack or in-app."""
    event = identity_events.ProfileUpdated()
    if not unpack_into(envelope, event):
        return
    profile = event.profile
    name = " ".join(p for p in (profile.first_name, profile.last_name) if p)
    preferences = json_format.MessageToDict(profile.notification_preferences) if (
        profile.HasField("notification_preferences")) else {}
    await alerts.member_heard(uow, uuid.UUID(event.user_id), occurred_at(envelope), name=name,
                              preferences=preferences, **(
                                  {"email": profile.email} if profile.email else {}))


def _is_rate(value) -> bool:
    try:
        return Decimal(str(value)) > 0
    except ArithmeticError:
        return False
