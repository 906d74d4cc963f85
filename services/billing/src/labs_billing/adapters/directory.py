"""What billing asks other services over gRPC, as the caller (the channels forward the caller's
token): identity (the organization: name, zone, currency, invoice prefix), projects (a project
and its client, a client, task titles), capacity (people's names) and time (the saga's steps).

Never called with a unit of work open: the servicer asks first, then writes in one short
transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import grpc
from google.protobuf import json_format

from labs.capacity.v1 import capacity_service_pb2 as capacity_pb
from labs.capacity.v1 import capacity_service_pb2_grpc as capacity_grpc
from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.identity.v1 import identity_service_pb2_grpc as identity_grpc
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs.projects.v1 import projects_service_pb2_grpc as projects_grpc
from labs.time.v1 import time_service_pb2 as time_pb
from labs.time.v1 import time_service_pb2_grpc as time_grpc
from labs_billing.domain.directory import (
    BillableEntry,
    BillableExpense,
    Client,
    Names,
    Organization,
    Project,
    Reservation,
)
from labs_billing.domain.model import DEFAULT_PREFIX
from labs_common.grpc.status import remote_call, remote_lookup
from labs_common.parsing import optional_uuid

MAX_PREFIX = 20
PAGE = 500


class Directory:
    def __init__(self, channel: Callable[[str], grpc.aio.Channel]) -> None:
        """`channel(service)`: the service's channel (Runtime.channel, which closes them)."""
        self._identity = identity_grpc.IdentityServiceStub(channel("identity"))
        self._projects = projects_grpc.ProjectsServiceStub(channel("projects"))
        self._time = time_grpc.TimeServiceStub(channel("time"))
        self._capacity = capacity_grpc.CapacityServiceStub(channel("capacity"))

    async def organization(self) -> Organization:
        org = (await remote_call(self._identity.GetOrganization(
            identity_pb.GetOrganizationRequest()))).organization
        settings = json_format.MessageToDict(org.settings) if org.HasField("settings") else {}
        prefix = settings.get("invoice_prefix")
        if not isinstance(prefix, str) or len(prefix) > MAX_PREFIX:
            prefix = DEFAULT_PREFIX
        return Organization(name=org.name, timezone=org.timezone or "UTC",
                            currency=org.currency or "USD", invoice_prefix=prefix)

    async def project(self, project_id: uuid.UUID) -> Project | None:
        found = await remote_lookup(self._projects.GetProject(
            projects_pb.GetProjectRequest(id=str(project_id))))
        if found is None:
            return None
        p = found.project
        return Project(id=uuid.UUID(p.id), name=p.name,
                       client_id=optional_uuid(p.client_id, "client_id"),
                       client_name=p.client_name, currency=p.budget_currency,
                       archived=p.status == projects_pb.PROJECT_STATUS_ARCHIVED)

    async def client(self, client_id: uuid.UUID) -> Client | None:
        found = await remote_lookup(self._projects.GetClient(
            projects_pb.GetClientRequest(id=str(client_id))))
        if found is None:
            return None
        c = found.client
        return Client(id=uuid.UUID(c.id), name=c.name, email=c.email, currency=c.currency)

    async def names(self, project_id: uuid.UUID, reservation: Reservation) -> Names:
        """Task titles and people's names for the items' descriptions."""
        tasks: dict[uuid.UUID, str] = {}
        if any(e.task_id for e in reservation.entries):
            token = ""
            while True:
                page = await remote_call(self._projects.ListTasks(projects_pb.ListTasksRequest(
                    project_id=str(project_id), page_size=PAGE, page_token=token)))
                tasks.update({uuid.UUID(t.id): t.title for t in page.tasks})
                if not (token := page.next_page_token):
                    break
        people: dict[uuid.UUID, str] = {}
        if any(e.person_id for e in reservation.entries):
            token = ""
            while True:
                page = await remote_call(self._capacity.ListResources(
                    capacity_pb.ListResourcesRequest(page_size=PAGE, page_token=token)))
                for r in page.resources:
                    people[uuid.UUID(r.id)] = r.name
                    if r.user_id:
                        people[uuid.UUID(r.user_id)] = r.name
                if not (token := page.next_page_token):
                    break
            if any(e.person_id not in people for e in reservation.entries if e.person_id):
                people = await self._member_names() | people
        return Names(tasks=tasks, people=people)

    async def _member_names(self) -> dict[uuid.UUID, str]:
        """Members' names, for people logged as users without a resource."""
        names: dict[uuid.UUID, str] = {}
        token = ""
        while True:
            page = await remote_call(self._identity.ListMembers(
                identity_pb.ListMembersRequest(page_size=PAGE, page_token=token)))
            for m in page.members:
                full = f"{m.user.first_name} {m.user.last_name}".strip()
                names[uuid.UUID(m.user.id)] = full or m.user.email
            if not (token := page.next_page_token):
                break
        return names

    async def reserve(self, invoice_id: uuid.UUID, project_id: uuid.UUID, start: date,
                      end: date, include_expenses: bool) -> Reservation:
        answer = await remote_call(self._time.ReserveEntries(time_pb.ReserveEntriesRequest(
            invoice_id=str(invoice_id), project_id=str(project_id),
            period_start=start.isoformat(), period_end=end.isoformat(),
            include_expenses=include_expenses)))
        return Reservation(entries=tuple(_entry(e) for e in answer.entries),
                           expenses=tuple(_expense(x) for x in answer.expenses))

    async def mark_invoiced(self, invoice_id: uuid.UUID) -> None:
        await remote_call(self._time.MarkEntriesInvoiced(
            time_pb.MarkEntriesInvoicedRequest(invoice_id=str(invoice_id))))

    async def release(self, invoice_id: uuid.UUID) -> None:
        await remote_call(self._time.ReleaseEntries(
            time_pb.ReleaseEntriesRequest(invoice_id=str(invoice_id))))


def _entry(e: time_pb.TimeEntry) -> BillableEntry:
    return BillableEntry(
        id=uuid.UUID(e.id), date_worked=date.fromisoformat(e.date_worked),
        hours=Decimal(e.rounded_hours or e.hours), rate=Decimal(e.billable_rate or "0"),
        currency=e.currency, task_id=optional_uuid(e.task_id, "task_id"),
        person_id=optional_uuid(e.resource_id or e.user_id, "user_id"))


def _expense(x: time_pb.Expense) -> BillableExpense:
    return BillableExpense(
        id=uuid.UUID(x.id), description=x.description, amount=Decimal(x.amount),
        currency=x.currency, expense_date=date.fromisoformat(x.expense_date),
        category=x.category or "other")
