"""What time asks other services, over gRPC with the caller's token: projects (does the project
exist, its rate override), identity (the org's timezone and rounding settings, its members) and
capacity (a person's rates on a date, a resource's rate history). The write path asks through
service_layer/known.py, which answers from time's read models first and comes here for what
they cannot answer; imports ask here directly.

Never called with a unit of work open: handlers ask first (service_layer/asked.py), then write in
one short transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import grpc
from google.protobuf import json_format

from labs.capacity.v1 import capacity_service_pb2 as capacity_pb
from labs.capacity.v1 import capacity_service_pb2_grpc as capacity_grpc
from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.identity.v1 import identity_service_pb2_grpc as identity_grpc
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs.projects.v1 import projects_service_pb2_grpc as projects_grpc
from labs_common.grpc.status import remote_call
from labs_time.domain.known import KnownRate, effective_from
from labs_time.domain.model import Rates

ARCHIVED = projects_pb.PROJECT_STATUS_ARCHIVED


@dataclass(frozen=True)
class Project:
    id: uuid.UUID
    name: str
    archived: bool
    billing_rate_override: Decimal | None
    currency: str
    # When projects last changed it (its updated_at), for a read model kept from this answer.
    as_of: datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Organization:
    timezone: str
    currency: str
    settings: dict[str, Any] = field(default_factory=dict)
    as_of: datetime | None = field(default=None, compare=False)  # identity's updated_at


@dataclass(frozen=True)
class Member:
    user_id: uuid.UUID
    email: str
    first_name: str
    last_name: str


# Compared and hashed by identity: an import caches per rate period, and the references hand out
# one object per period.
@dataclass(frozen=True, eq=False)
class PersonRates:
    resource_id: uuid.UUID | None
    rates: Rates


def _project(message: projects_pb.Project) -> Project:
    override = message.billing_rate_override
    return Project(
        id=uuid.UUID(message.id),
        name=message.name,
        archived=message.status == ARCHIVED,
        billing_rate_override=Decimal(override) if override else None,
        currency=message.budget_currency,
        as_of=_updated_at(message),
    )


def _updated_at(message) -> datetime | None:
    return message.updated_at.ToDatetime(UTC) if message.HasField("updated_at") else None


class Directory:
    """One client per running service; every call names whose token it carries."""

    def __init__(self, channel: Callable[[str], grpc.aio.Channel]) -> None:
        """`channel(service)`: the service's channel (Runtime.channel, which closes them)."""
        self._projects = projects_grpc.ProjectsServiceStub(channel("projects"))
        self._identity = identity_grpc.IdentityServiceStub(channel("identity"))
        self._capacity = capacity_grpc.CapacityServiceStub(channel("capacity"))

    @staticmethod
    def _auth(token: str) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {token}"),)

    async def project(self, token: str, project_id: uuid.UUID) -> Project:
        response = await remote_call(self._projects.GetProject(
            projects_pb.GetProjectRequest(id=str(project_id)), metadata=self._auth(token)))
        return _project(response.project)

    async def task_project(self, token: str, task_id: uuid.UUID) -> uuid.UUID:
        """The project of a task of the caller's org (NotFound when it is not one)."""
        response = await remote_call(self._projects.GetTask(
            projects_pb.GetTaskRequest(id=str(task_id)), metadata=self._auth(token)))
        return uuid.UUID(response.task.project_id)

    async def resolve_project(self, token: str, name: str, create_missing: bool) -> Project:
        response = await remote_call(self._projects.ResolveProject(
            projects_pb.ResolveProjectRequest(name=name, create_missing=create_missing),
            metadata=self._auth(token)))
        return _project(response.project)

    async def organization(self, token: str) -> Organization:
        response = await remote_call(self._identity.GetOrganization(
            identity_pb.GetOrganizationRequest(), metadata=self._auth(token)))
        org = response.organization
        return Organization(org.timezone or "UTC", org.currency or "USD",
                            json_format.MessageToDict(org.settings), _updated_at(org))

    async def member(self, token: str, user_id: uuid.UUID) -> Member:
        """One member of the caller's org (NotFound when `user_id` is not one)."""
        response = await remote_call(self._identity.GetMember(
            identity_pb.GetMemberRequest(user_id=str(user_id)), metadata=self._auth(token)))
        m = response.member
        return Member(uuid.UUID(m.user.id), m.user.email, m.user.first_name, m.user.last_name)

    async def members(self, token: str) -> list[Member]:
        """Every member of the caller's org (imports match people among them)."""
        found: list[Member] = []
        page_token = ""
        while True:
            page = await remote_call(self._identity.ListMembers(
                identity_pb.ListMembersRequest(page_size=500, page_token=page_token),
                metadata=self._auth(token)))
            found.extend(Member(uuid.UUID(m.user.id), m.user.email, m.user.first_name,
                                m.user.last_name) for m in page.members)
            if not page.next_page_token:
                return found
            page_token = page.next_page_token

    async def resources(self, token: str) -> list[ResourceHistory]:
        """Every resource that is a person (placeholders are roles, not people), linked to a
        member or not, each with its rate history, for imports (one call per person instead of
        one per row)."""
        found: list[ResourceHistory] = []
        page_token = ""
        while True:
            page = await remote_call(self._capacity.ListResources(
                capacity_pb.ListResourcesRequest(page_size=500, page_token=page_token),
                metadata=self._auth(token)))
            for resource in page.resources:
                if resource.is_placeholder:
                    continue
                history = await remote_call(self._capacity.ListResourceRates(
                    capacity_pb.ListResourceRatesRequest(resource_id=resource.id),
                    metadata=self._auth(token)))
                found.append((Resource(
                    uuid.UUID(resource.id), resource.name, resource.email,
                    uuid.UUID(resource.user_id) if resource.user_id else None), [
                    RatePeriod(
                        date.fromisoformat(r.effective_from) if r.effective_from else None,
                        date.fromisoformat(r.effective_to) if r.effective_to else None,
                        Rates(Decimal(r.billing_rate) if r.billing_rate else None,
                              Decimal(r.cost_rate) if r.cost_rate else None,
                              r.currency or None, "resource"))
                    for r in history.rates]))
            if not page.next_page_token:
                return found
            page_token = page.next_page_token

    async def resource(self, token: str, resource_id: uuid.UUID) -> Resource:
        """One resource of the caller's org (NotFound when it is not one)."""
        response = await remote_call(self._capacity.GetResource(
            capacity_pb.GetResourceRequest(id=str(resource_id)), metadata=self._auth(token)))
        r = response.resource
        return Resource(uuid.UUID(r.id), r.name, r.email,
                        uuid.UUID(r.user_id) if r.user_id else None)

    async def rate_history(self, token: str, resource_id: uuid.UUID) -> list[KnownRate]:
        """Every period of a resource's rates, oldest first (ListResourceRates)."""
        history = await remote_call(self._capacity.ListResourceRates(
            capacity_pb.ListResourceRatesRequest(resource_id=str(resource_id)),
            metadata=self._auth(token)))
        return [KnownRate(effective_from(r.effective_from),
                          Decimal(r.billing_rate) if r.billing_rate else None,
                          Decimal(r.cost_rate) if r.cost_rate else None, r.currency)
                for r in history.rates]

    async def person_rates(self, token: str, user_id: uuid.UUID, on: date) -> PersonRates:
        """The member's effective rates on `on`; "none" when capacity knows no rate for them."""
        return await self._rates(token, capacity_pb.GetRatesRequest(
            user_id=str(user_id), date=on.isoformat()))

    async def resource_rates(self, token: str, resource_id: uuid.UUID, on: date) -> PersonRates:
        """A resource's effective rates on `on` (one without a login too); "none" without."""
        return await self._rates(token, capacity_pb.GetRatesRequest(
            resource_id=str(resource_id), date=on.isoformat()))

    async def _rates(self, token: str, request: capacity_pb.GetRatesRequest) -> PersonRates:
        response = await remote_call(
            self._capacity.GetRates(request, metadata=self._auth(token)))
        if not response.found:
            return PersonRates(None, Rates.none())
        return PersonRates(
            uuid.UUID(response.resource_id) if response.resource_id else None,
            Rates(Decimal(response.billing_rate) if response.billing_rate else None,
                  Decimal(response.cost_rate) if response.cost_rate else None,
                  response.currency or None, "resource"),
        )


@dataclass(frozen=True)
class RatePeriod:
    starts: date | None
    ends: date | None
    rates: Rates

    def covers(self, on: date) -> bool:
        return (self.starts is None or self.starts <= on) and (self.ends is None or on <= self.ends)


@dataclass(frozen=True)
class Resource:
    """A person in capacity: `user_id` when they are a member, None for someone without a login
    (a contractor)."""

    id: uuid.UUID
    name: str
    email: str
    user_id: uuid.UUID | None


# A resource and its rate periods, oldest first.
ResourceHistory = tuple[Resource, list[RatePeriod]]


def snapshot(project: Project, person: PersonRates) -> Rates:
    """The rate rule: the project's override bills, else the person's rate; cost is the person's.

    An override is in the project's currency; the person's cost rate is kept only when it is in
    the same currency (a snapshot never mixes currencies)."""
    if project.billing_rate_override is not None:
        currency = project.currency or person.rates.currency
        cost = person.rates.cost_rate if person.rates.currency in (None, currency) else None
        return Rates(project.billing_rate_override, cost, currency, "project")
    return person.rates
