"""Rebuilding one organization's read model from nothing, over the owners' own APIs:

    python -m labs_forecasting rebuild --api-key lbk_...   (or LABS_REBUILD_API_KEY)

The streams keep 30 days, so replaying them cannot rebuild an older project. Instead: identity
exchanges the admin's API key for an access token (AuthenticateApiKey, as the gateway does);
with it this pages through the owners' list RPCs (identity's organization, projects' projects,
capacity's resources, their rates and the projects' allocations, time's entries and expenses,
billing's invoices), deletes the org's rows of the read model, and hands each object to the
same consumer handlers the events go through, as the event that would carry it, dated the
object's `updated_at`. So the rows end as the events built them, and an event arriving meanwhile
still applies: each row keeps the newer of the two. Each project's margin is then announced
once (project.margin_updated), not once per entry.

The daily margin history is kept (what a margin was on a past day is not in any owner's data);
`--forget-history` deletes it as well (today's row is written again)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import grpc
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import delete

from labs.billing.v1 import billing_service_pb2 as billing_pb
from labs.billing.v1 import billing_service_pb2_grpc as billing_grpc
from labs.billing.v1 import events_pb2 as billing_events
from labs.capacity.v1 import capacity_service_pb2 as capacity_pb
from labs.capacity.v1 import capacity_service_pb2_grpc as capacity_grpc
from labs.capacity.v1 import events_pb2 as capacity_events
from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2 as identity_events
from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.identity.v1 import identity_service_pb2_grpc as identity_grpc
from labs.projects.v1 import events_pb2 as projects_events
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs.projects.v1 import projects_service_pb2_grpc as projects_grpc
from labs.time.v1 import events_pb2 as time_events
from labs.time.v1 import time_service_pb2 as time_pb
from labs.time.v1 import time_service_pb2_grpc as time_grpc
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.auth.tokens import TokenVerifier
from labs_common.db.engine import app_role, create_engine, sessionmaker
from labs_common.db.uow import Scope
from labs_common.grpc.client import open_channel
from labs_forecasting.adapters import orm
from labs_forecasting.config import Settings
from labs_forecasting.entrypoints import consumers
from labs_forecasting.service_layer import projection
from labs_forecasting.service_layer.unit_of_work import ForecastingUnitOfWork

PAGE = 500
ANNOUNCE_BATCH = 200
# The read model's current state, deleted before it is fed again (the history only on request).
CURRENT = (orm.entries, orm.expenses, orm.project_totals, orm.allocations, orm.invoices,
           orm.resource_rates, orm.resources, orm.projects)


@dataclass
class Counts:
    projects: int = 0
    entries: int = 0
    expenses: int = 0
    resources: int = 0
    rates: int = 0
    allocations: int = 0
    invoices: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        return ", ".join(f"{name} {value}" if name != "seconds" else f"in {value:.1f} s"
                         for name, value in vars(self).items())


class _DeferredMargins:
    """The outbox of a rebuilding transaction: margin announcements are collected (each project
    is announced once at the end), everything else goes through."""

    def __init__(self, outbox, projects: set[uuid.UUID]) -> None:
        self._outbox = outbox
        self._projects = projects

    async def add(self, event_type: str, payload: Message, **options):
        if event_type == "project.margin_updated":
            self._projects.add(options["project_id"])
            return None
        return await self._outbox.add(event_type, payload, **options)

    def __getattr__(self, name: str):
        return getattr(self._outbox, name)


class RebuildUnitOfWork(ForecastingUnitOfWork):
    touched: set[uuid.UUID]

    async def __aenter__(self):
        await super().__aenter__()
        self.outbox = _DeferredMargins(self.outbox, self.touched)  # type: ignore[assignment]
        return self


@dataclass
class ApiKeyToken:
    """An access token for the API key, asked again shortly before it expires."""

    identity: identity_grpc.IdentityServiceStub
    secret: str
    _token: str = ""
    _until: float = 0.0

    async def metadata(self) -> tuple[tuple[str, str], ...]:
        if time.monotonic() > self._until:
            answer = await self.identity.AuthenticateApiKey(
                identity_pb.AuthenticateApiKeyRequest(secret=self.secret))
            self._token = answer.access_token
            self._until = time.monotonic() + answer.expires_in * 0.8
        return (("authorization", f"Bearer {self._token}"),)

    async def principal(self, settings: Settings) -> Principal:
        async def jwks() -> list[dict]:
            keys = (await self.identity.GetJwks(identity_pb.GetJwksRequest())).keys
            return [{"kid": k.kid, "kty": k.kty, "crv": k.crv, "x": k.x, "alg": k.alg,
                     "use": k.use} for k in keys]

        await self.metadata()
        verifier = TokenVerifier(jwks, settings.jwt_issuer, settings.jwt_audience)
        return await verifier.verify(self._token)


@dataclass
class Owners:
    """Stubs of the services that own what forecasting keeps, each with the org's token."""

    token: ApiKeyToken
    identity: identity_grpc.IdentityServiceStub
    projects: projects_grpc.ProjectsServiceStub
    time: time_grpc.TimeServiceStub
    capacity: capacity_grpc.CapacityServiceStub
    billing: billing_grpc.BillingServiceStub
    channels: list = field(default_factory=list)

    @classmethod
    def open(cls, settings: Settings, secret: str) -> Owners:
        channels = {name: open_channel(settings, name, f"labs.{name}.v1.{name.capitalize()}Service")
                    for name in ("identity", "projects", "time", "capacity", "billing")}
        identity = identity_grpc.IdentityServiceStub(channels["identity"])
        return cls(ApiKeyToken(identity, secret), identity,
                   projects_grpc.ProjectsServiceStub(channels["projects"]),
                   time_grpc.TimeServiceStub(channels["time"]),
                   capacity_grpc.CapacityServiceStub(channels["capacity"]),
                   billing_grpc.BillingServiceStub(channels["billing"]),
                   list(channels.values()))

    async def call(self, method, request):
        return await method(request, metadata=await self.token.metadata())

    async def pages(self, method, request, items: str) -> AsyncIterator[list]:
        """Every page of a list RPC (page_size/page_token)."""
        while True:
            request.page_size = PAGE
            answer = await self.call(method, request)
            yield list(getattr(answer, items))
            if not answer.next_page_token:
                return
            request.page_token = answer.next_page_token

    async def close(self) -> None:
        for channel in self.channels:
            await channel.close()


def _envelope(org_id: uuid.UUID, source: str, event_type: str, payload: Message,
              updated_at: Timestamp, project_id: str = "") -> envelope_pb2.Envelope:
    """The event that would carry `payload`, dated when the object last changed."""
    envelope = envelope_pb2.Envelope(id=str(uuid.uuid4()), type=event_type, source=source,
                                     org_id=str(org_id), project_id=project_id)
    envelope.occurred_at.CopyFrom(updated_at)
    envelope.payload.Pack(payload)
    return envelope


def entry_changed(entry: time_pb.TimeEntry) -> time_events.EntryChanged:
    return time_events.EntryChanged(
        entry_id=entry.id, project_id=entry.project_id, task_id=entry.task_id,
        user_id=entry.user_id, date_worked=entry.date_worked, hours=entry.hours,
        rounded_hours=entry.rounded_hours, billable=entry.billable,
        billable_rate=entry.billable_rate, cost_rate=entry.cost_rate, currency=entry.currency,
        rate_source=entry.rate_source, is_running=entry.is_running, invoice_id=entry.invoice_id,
        source=entry.source, entry=entry)


def expense_changed(expense: time_pb.Expense) -> time_events.ExpenseChanged:
    return time_events.ExpenseChanged(
        expense_id=expense.id, project_id=expense.project_id, user_id=expense.user_id,
        amount=expense.amount, currency=expense.currency, expense_date=expense.expense_date,
        category=expense.category, billable=expense.billable, expense=expense)


def rate_on(rates: list[capacity_pb.Rate], day: str) -> capacity_pb.Rate | None:
    """The rate in effect on `day` (the earliest rates apply to every earlier date)."""
    ordered = sorted(rates, key=lambda r: r.effective_from)
    found = ordered[0] if ordered else None
    for rate in ordered:
        if not rate.effective_from or rate.effective_from <= day:
            found = rate
    return found


class Rebuild:
    def __init__(self, settings: Settings, owners: Owners, org_id: uuid.UUID,
                 actor_id: uuid.UUID | None, sessions, *, say: Callable[[str], None] = print
                 ) -> None:
        self._settings = settings
        self._owners = owners
        self._org = org_id
        self._actor = actor_id
        self._sessions = sessions
        self._say = say
        self.counts = Counts()
        self.touched: set[uuid.UUID] = set()

    def _uow(self) -> RebuildUnitOfWork:
        uow = RebuildUnitOfWork(self._sessions, self._settings.service_name,
                                Scope(org_id=self._org, actor_id=self._actor))
        uow.touched = self.touched
        return uow

    async def _feed(self, envelopes: list[envelope_pb2.Envelope],
                    handler: Callable[[envelope_pb2.Envelope, ForecastingUnitOfWork],
                                      Awaitable[None]]) -> None:
        """One page through the consumer's handler, in one transaction."""
        if not envelopes:
            return
        async with self._uow() as uow:
            for envelope in envelopes:
                await handler(envelope, uow)
            await uow.commit()

    async def wipe(self, *, forget_history: bool) -> None:
        tables = (*CURRENT, orm.daily_margins) if forget_history else CURRENT
        async with self._uow() as uow:
            for table in tables:
                await uow.session.execute(delete(table).where(table.c.org_id == self._org))
            await uow.session.execute(delete(orm.organizations).where(
                orm.organizations.c.id == self._org))
            await uow.commit()

    async def run(self, *, forget_history: bool = False) -> Counts:
        started = time.monotonic()
        owners, org = self._owners, self._org
        # Everything small is read before the wipe, so a failing owner leaves the model as it was.
        organization = (await owners.call(owners.identity.GetOrganization,
                                          identity_pb.GetOrganizationRequest())).organization
        projects = [p async for page in owners.pages(
            owners.projects.ListProjects, projects_pb.ListProjectsRequest(), "projects")
            for p in page]
        projects += [p async for page in owners.pages(
            owners.projects.ListProjects, projects_pb.ListProjectsRequest(
                status=projects_pb.PROJECT_STATUS_ARCHIVED), "projects") for p in page]
        resources = [r async for page in owners.pages(
            owners.capacity.ListResources, capacity_pb.ListResourcesRequest(), "resources")
            for r in page]
        rates = {r.id: list((await owners.call(owners.capacity.ListResourceRates,
                                               capacity_pb.ListResourceRatesRequest(
                                                   resource_id=r.id))).rates)
                 for r in resources}
        self._say(f"rebuilding org {org}: {len(projects)} projects, {len(resources)} resources")
        await self.wipe(forget_history=forget_history)

        await self._feed([_envelope(org, "identity", "organization.updated",
                                    identity_events.OrganizationUpdated(organization=organization),
                                    organization.updated_at)], consumers.on_organization)
        await self._feed([_envelope(org, "projects", "project.updated",
                                    projects_events.ProjectUpdated(project=p), p.updated_at)
                          for p in projects], consumers.on_project)
        self.counts.projects = len(projects)
        await self._feed([_envelope(org, "capacity", "resource.updated",
                                    capacity_events.ResourceUpdated(resource=r), r.updated_at)
                          for r in resources], consumers.on_resource)
        self.counts.resources = len(resources)

        async for page in owners.pages(owners.time.ListTimeEntries,
                                       time_pb.ListTimeEntriesRequest(), "entries"):
            await self._feed([_envelope(org, "time", "entry.updated", entry_changed(e),
                                        e.updated_at, e.project_id) for e in page],
                             consumers.on_entry)
            self.counts.entries += len(page)
        for project in projects:
            async for page in owners.pages(owners.time.ListExpenses, time_pb.ListExpensesRequest(
                    project_id=project.id), "expenses"):
                await self._feed([_envelope(org, "time", "expense.updated", expense_changed(x),
                                            x.updated_at, x.project_id) for x in page],
                                 consumers.on_expense)
                self.counts.expenses += len(page)
            allocations = (await owners.call(owners.capacity.ListProjectAllocations,
                                             capacity_pb.ListProjectAllocationsRequest(
                                                 project_id=project.id))).allocations
            await self._feed([self._allocation(a.allocation, rates) for a in allocations],
                             consumers.on_allocation)
            self.counts.allocations += len(allocations)

        # Rates after the entries, as a rate arriving later: each uncosted hour is costed at the
        # rate in effect on its date (the latest rate first takes the hours since it began).
        for resource in resources:
            ordered = sorted(rates[resource.id], key=lambda r: r.effective_from, reverse=True)
            await self._feed([_envelope(org, "capacity", "resource.rates_changed",
                                        capacity_events.ResourceRatesChanged(
                                            resource_id=resource.id, rate=rate),
                                        resource.updated_at) for rate in ordered],
                             consumers.on_resource)
            self.counts.rates += len(ordered)

        async for page in owners.pages(owners.billing.ListInvoices,
                                       billing_pb.ListInvoicesRequest(), "invoices"):
            await self._feed([_envelope(org, "billing", "invoice.updated",
                                        billing_events.InvoiceChanged(invoice=i), i.updated_at,
                                        i.project_id) for i in page], consumers.on_invoice)
            self.counts.invoices += len(page)

        await self.announce({uuid.UUID(p.id) for p in projects} | self.touched)
        self.counts.seconds = time.monotonic() - started
        self._say(f"rebuilt org {org}: {self.counts}")
        return self.counts

    def _allocation(self, allocation: capacity_pb.Allocation,
                    rates: dict[str, list[capacity_pb.Rate]]) -> envelope_pb2.Envelope:
        rate = rate_on(rates.get(allocation.resource_id, []), allocation.start_date)
        event = capacity_events.AllocationChanged(
            change=capacity_events.ALLOCATION_CHANGE_UPDATED, allocation=allocation,
            billing_rate=rate.billing_rate if rate else "",
            cost_rate=rate.cost_rate if rate else "", currency=rate.currency if rate else "")
        return _envelope(self._org, "capacity", "allocation.changed", event,
                         allocation.updated_at, allocation.project_id)

    async def announce(self, project_ids: set[uuid.UUID]) -> None:
        """Each project's margin once, as it stands now (and today's daily row)."""
        ordered = sorted(project_ids)
        for start in range(0, len(ordered), ANNOUNCE_BATCH):
            async with ForecastingUnitOfWork(self._sessions, self._settings.service_name,
                                             Scope(org_id=self._org, actor_id=self._actor)) as uow:
                for project_id in ordered[start:start + ANNOUNCE_BATCH]:
                    await projection.announce_margin(uow, project_id)
                await uow.commit()


async def rebuild(settings: Settings, api_key: str, *, forget_history: bool = False,
                  say: Callable[[str], None] = print) -> Counts:
    """Rebuilds the read model of the API key's organization (an admin's key or an owner's)."""
    owners = Owners.open(settings, api_key)
    engine = create_engine(settings, role=await app_role(settings.sqlalchemy_url))
    try:
        principal = await owners.token.principal(settings)
        if not principal.role.at_least(Role.ADMIN):
            raise SystemExit(f"rebuild needs an admin's API key, not a {principal.role.value}'s")
        job = Rebuild(settings, owners, principal.org_id, principal.user_id, sessionmaker(engine),
                      say=say)
        return await job.run(forget_history=forget_history)
    finally:
        await owners.close()
        await engine.dispose()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m labs_forecasting rebuild",
        description="Rebuild one organization's read model from the owners' APIs.")
    settings = Settings()
    parser.add_argument("--api-key", default=settings.rebuild_api_key,
                        help="an admin's API key (lbk_...) of the organization; "
                             "default $LABS_REBUILD_API_KEY")
    parser.add_argument("--forget-history", action="store_true",
                        help="delete the daily margin history too")
    args = parser.parse_args(argv)
    if not args.api_key.startswith("lbk_"):
        parser.error("--api-key lbk_... (or LABS_REBUILD_API_KEY) is required")
    try:
        asyncio.run(rebuild(settings, args.api_key, forget_history=args.forget_history))
    except grpc.aio.AioRpcError as error:
        raise SystemExit(f"rebuild failed: {error.code().name}: {error.details()}") from None


if __name__ == "__main__":
    main(sys.argv[1:])

