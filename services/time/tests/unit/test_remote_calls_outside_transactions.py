"""No RPC of time waits on projects, identity or capacity while its transaction is open.

The servicer runs here on a fake unit of work that knows whether it is inside a transaction, and a
fake directory (time's client of the other services) that fails the test when it is asked from
inside one. Nothing here does I/O: no PostgreSQL, no NATS, no gRPC."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import grpc
import pytest
from google.protobuf import timestamp_pb2

from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.time.v1 import time_service_pb2 as pb
from labs_common.auth.principal import Principal, bind_principal, reset_principal
from labs_common.auth.roles import Role
from labs_common.db.uow import Scope, caller_of
from labs_common.errors import (
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unavailable,
)
from labs_time.adapters.directory import Directory, Member, Organization, PersonRates, Project
from labs_time.domain.model import Rates
from labs_time.entrypoints.grpc_servicer import TimeServicer
from labs_time.service_layer import entries, platform_entries

ORG = uuid.uuid4()
MANAGER = uuid.uuid4()
MEMBER = uuid.uuid4()
OUTSIDER = uuid.uuid4()
ORG_ZONE = ZoneInfo("Europe/Berlin")


# --- the fakes -------------------------------------------------------------------------------


@dataclass
class Transactions:
    """Whether a (fake) transaction is open right now, and how many were opened."""

    open: int = 0
    opened: int = 0


@dataclass
class Store:
    """What a committed transaction leaves behind."""

    entries: dict = field(default_factory=dict)
    expenses: dict = field(default_factory=dict)
    events: list = field(default_factory=list)
    responses: dict = field(default_factory=dict)  # idempotency key → response bytes


class FakeEntries:
    def __init__(self, rows: dict) -> None:
        self.rows = rows

    async def add(self, entry):
        now = datetime.now(UTC)
        entry = replace(entry, created_at=now, updated_at=now)
        self.rows[entry.id] = entry
        return copy.deepcopy(entry)

    async def get(self, entry_id, *, for_update=False):
        found = self.rows.get(entry_id)
        return copy.deepcopy(found) if found else None

    async def save(self, entry):
        entry = replace(entry, version=entry.version + 1, updated_at=datetime.now(UTC))
        self.rows[entry.id] = entry
        return copy.deepcopy(entry)

    async def delete(self, entry_id):
        self.rows.pop(entry_id, None)

    async def running_for(self, user_id, *, for_update=False):
        return next((copy.deepcopy(e) for e in self.rows.values()
                     if e.user_id == user_id and e.is_running), None)

    async def list(self, where, after, limit):
        found = [e for e in self.rows.values()
                 if where.user_id in (None, e.user_id)
                 and where.project_id in (None, e.project_id)]
        return [copy.deepcopy(e) for e in found][:limit]

    async def of_user_in_range(self, user_id, start, end, status):
        return [copy.deepcopy(e) for e in self.rows.values()
                if e.user_id == user_id and start <= e.date_worked <= end
                and e.status == status and not e.is_running]

    async def by_ids(self, ids):
        return [copy.deepcopy(self.rows[i]) for i in ids if i in self.rows]

    async def by_fingerprints(self, fingerprints):
        return {e.fingerprint: copy.deepcopy(e) for e in self.rows.values()
                if e.fingerprint in fingerprints}


class FakeExpenses:
    def __init__(self, rows: dict) -> None:
        self.rows = rows

    async def add(self, expense):
        self.rows[expense.id] = expense
        return copy.deepcopy(expense)

    async def get(self, expense_id, *, for_update=False):
        found = self.rows.get(expense_id)
        return copy.deepcopy(found) if found else None

    async def save(self, expense):
        expense = replace(expense, version=expense.version + 1)
        self.rows[expense.id] = expense
        return copy.deepcopy(expense)

    async def delete(self, expense_id):
        self.rows.pop(expense_id, None)

    async def list(self, project_id, after, limit):
        return [copy.deepcopy(x) for x in self.rows.values() if x.project_id == project_id][:limit]


class FakeOutbox:
    def __init__(self, events: list) -> None:
        self.events = events

    async def add(self, event_type, payload, *, project_id=None, **_):
        self.events.append((event_type, project_id))

    async def add_many(self, event_type, payloads, **_):
        self.events.extend((event_type, None) for _ in payloads)


class FakeIdempotency:
    def __init__(self, responses: dict) -> None:
        self.responses = responses

    async def claim(self, key, fingerprint):
        return self.responses.get(key)

    async def record(self, key, response):
        self.responses[key] = response


class FakeSession:
    """Takes the timer's advisory lock (and any other statement) without a database."""

    async def execute(self, *_args, **_kwargs):
        return None


class FakeUnitOfWork:
    """A unit of work that records whether it is inside its transaction. Its repositories work
    on a copy of the store that only a commit keeps."""

    def __init__(self, store: Store, transactions: Transactions, scope: Scope) -> None:
        self._store = store
        self._transactions = transactions
        self.scope = scope
        self._committed = False

    @property
    def caller(self):
        return caller_of(self.scope)

    async def __aenter__(self):
        self._transactions.open += 1
        self._transactions.opened += 1
        self._entries = copy.deepcopy(self._store.entries)
        self._expenses = copy.deepcopy(self._store.expenses)
        self._events: list = []
        self._responses = dict(self._store.responses)
        self.entries = FakeEntries(self._entries)
        self.expenses = FakeExpenses(self._expenses)
        self.outbox = FakeOutbox(self._events)
        self.idempotency = FakeIdempotency(self._responses)
        self.session = FakeSession()
        return self

    async def __aexit__(self, *exc_info):
        self._transactions.open -= 1

    async def commit(self):
        self._store.entries, self._store.expenses = self._entries, self._expenses
        self._store.events += self._events
        self._store.responses = self._responses
        self._committed = True

    async def rollback(self):
        pass


class FakeDirectory:
    """Time's view of projects, identity and capacity, failing the test when asked while a
    transaction is open."""

    def __init__(self, transactions: Transactions) -> None:
        self._transactions = transactions
        self.asked: list[str] = []
        self.projects = {
            uuid.UUID(int=1): Project(uuid.UUID(int=1), "Website", False, None, "USD"),
            uuid.UUID(int=2): Project(uuid.UUID(int=2), "Old site", True, None, "USD"),
        }
        self.people = {MANAGER: Member(MANAGER, "m@example.com", "Mia", "Manager"),
                       MEMBER: Member(MEMBER, "p@example.com", "Pat", "Doe")}
        self.down: set[str] = set()  # services answering UNAVAILABLE

    def _ask(self, service: str, method: str) -> None:
        assert self._transactions.open == 0, (
            f"{service}.{method} was asked while a transaction was open")
        self.asked.append(method)
        if service in self.down:
            raise Unavailable(f"{service} is down")

    async def project(self, token, project_id):
        self._ask("projects", "GetProject")
        if project_id not in self.projects:
            raise NotFound("No such project.")
        return self.projects[project_id]

    async def resolve_project(self, token, name, create_missing):
        self._ask("projects", "ResolveProject")
        raise NotFound("No such project.")

    async def organization(self, token):
        self._ask("identity", "GetOrganization")
        return Organization(ORG_ZONE.key, "EUR",
                            {"time_rounding": {"unit_minutes": 15, "mode": "up"}})

    async def member(self, token, user_id):
        self._ask("identity", "GetMember")
        if user_id not in self.people:
            raise NotFound("No such member.")
        return self.people[user_id]

    async def members(self, token):  # the whole list: never for one membership check
        self._ask("identity", "ListMembers")
        return list(self.people.values())

    async def person_rates(self, token, user_id, on):
        self._ask("capacity", "GetRates")
        return PersonRates(uuid.UUID(int=9), Rates(Decimal("100"), Decimal("60"), "USD",
                                                   "resource"))

    async def resources(self, token):
        self._ask("capacity", "ListResources")
        return []


class FakeContext:
    def __init__(self, idempotency_key: str | None = None) -> None:
        self._metadata = ([grpc.aio.Metadata(("idempotency-key", idempotency_key))]
                          if idempotency_key else [])

    def invocation_metadata(self):
        return [_Item(k, v) for metadata in self._metadata for k, v in metadata]


@dataclass(frozen=True)
class _Item:
    key: str
    value: str


@dataclass
class World:
    servicer: TimeServicer
    directory: FakeDirectory
    transactions: Transactions
    store: Store

    async def call(self, method: str, request, role: Role = Role.MANAGER,
                   user_id: uuid.UUID = MANAGER, key: str | None = None):
        bound = bind_principal(Principal(user_id=user_id, org_id=ORG, role=role, token="t"))
        try:
            return await getattr(self.servicer, method)(request, FakeContext(key))
        finally:
            reset_principal(bound)


@pytest.fixture
def world() -> World:
    transactions, store = Transactions(), Store()
    directory = FakeDirectory(transactions)
    servicer = TimeServicer(lambda scope: FakeUnitOfWork(store, transactions, scope),
                            directory, worker=None)  # type: ignore[arg-type]
    return World(servicer, directory, transactions, store)


PROJECT = str(uuid.UUID(int=1))
ARCHIVED = str(uuid.UUID(int=2))


def _stamp(value: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(value)
    return stamp


# --- every RPC that asks another service ----------------------------------------------------


async def test_recording_an_entry_asks_projects_identity_and_capacity_before_its_transaction(
        world: World):
    created = (await world.call("CreateTimeEntry", pb.CreateTimeEntryRequest(
        project_id=PROJECT, hours="1.1", date_worked="2026-01-05"))).entry
    assert (created.hours, created.rounded_hours) == ("1.10", "1.25")
    assert (created.billable_rate, created.cost_rate, created.rate_source) == (
        "100", "60", "resource")
    assert sorted(world.directory.asked) == ["GetOrganization", "GetProject", "GetRates"]
    assert world.transactions.opened == 1 and world.store.events == [
        ("entry.created", uuid.UUID(PROJECT))]


async def test_a_manager_logging_for_a_member_checks_the_membership_before_the_transaction(
        world: World):
    logged = (await world.call("CreateTimeEntry", pb.CreateTimeEntryRequest(
        project_id=PROJECT, hours="2", user_id=str(MEMBER)))).entry
    assert logged.user_id == str(MEMBER)
    assert "GetMember" in world.directory.asked
    assert "ListMembers" not in world.directory.asked


async def test_changing_an_entry_asks_the_org_before_its_transaction(world: World):
    created = (await world.call("CreateTimeEntry", pb.CreateTimeEntryRequest(
        project_id=PROJECT, hours="1", date_worked="2026-01-05"))).entry
    world.directory.asked.clear()
    changed = (await world.call("UpdateTimeEntry", pb.UpdateTimeEntryRequest(
        id=created.id, hours="2.1", date_worked="2026-01-06",
        if_match_etags=[created.etag]))).entry
    assert (changed.hours, changed.rounded_hours, changed.date_worked) == (
        "2.10", "2.25", "2026-01-06")
    assert world.directory.asked == ["GetOrganization"]


async def test_listing_a_projects_entries_and_expenses_asks_projects_before_the_transaction(
        world: World):
    await world.call("CreateTimeEntry", pb.CreateTimeEntryRequest(project_id=PROJECT, hours="1"))
    await world.call("CreateExpense", pb.CreateExpenseRequest(
        project_id=PROJECT, description="Train", amount="12.50", category="travel"))
    world.directory.asked.clear()
    listed = await world.call("ListTimeEntries", pb.ListTimeEntriesRequest(project_id=PROJECT))
    expenses = await world.call("ListExpenses", pb.ListExpensesRequest(project_id=PROJECT))
    assert len(listed.entries) == 1 and len(expenses.expenses) == 1
    assert world.directory.asked == ["GetProject", "GetProject"]
    with pytest.raises(NotFound):
        await world.call("ListTimeEntries", pb.ListTimeEntriesRequest(
            project_id=str(uuid.uuid4())))


async def test_timers_ask_everything_before_the_transaction_that_locks_and_writes(world: World):
    first = (await world.call("StartTimer", pb.StartTimerRequest(project_id=PROJECT))).entry
    assert first.is_running and first.rate_source == "resource"
    # Started up to an hour ago, so the second start stops it and it becomes one entry: no
    # earlier than the org's last midnight, past which it would become two (one per local day).
    running = world.store.entries[uuid.UUID(first.id)]
    now = datetime.now(ORG_ZONE)
    world.store.entries[running.id] = replace(running, started_at=max(
        now - timedelta(hours=1), datetime.combine(now.date(), time(), ORG_ZONE)))
    second = await world.call("StartTimer", pb.StartTimerRequest(project_id=PROJECT))
    assert [e.id for e in second.stopped] == [first.id] and second.entry.is_running
    stopped = await world.call("StopTimer", pb.StopTimerRequest())
    assert stopped.entry.id == second.entry.id and not stopped.entry.is_running
    assert world.directory.asked.count("GetOrganization") == 3
    assert world.transactions.opened == 3


async def test_approvals_ask_the_org_before_their_transaction(world: World):
    created = (await world.call("CreateTimeEntry", pb.CreateTimeEntryRequest(
        project_id=PROJECT, hours="1", date_worked="2026-01-05"), role=Role.MEMBER,
        user_id=MEMBER)).entry
    week = {"date_from": "2026-01-05", "date_to": "2026-01-11"}
    submitted = await world.call("SubmitTimeEntries", pb.SubmitTimeEntriesRequest(**week),
                                 role=Role.MEMBER, user_id=MEMBER)
    assert [e.id for e in submitted.entries] == [created.id]
    rejected = await world.call("RejectTimeEntries", pb.RejectTimeEntriesRequest(
        user_id=str(MEMBER), reason="wrong project", **week))
    assert [e.status for e in rejected.entries] == [pb.ENTRY_STATUS_DRAFT]
    await world.call("SubmitTimeEntries", pb.SubmitTimeEntriesRequest(**week),
                     role=Role.MEMBER, user_id=MEMBER)
    approved = await world.call("ApproveTimeEntries", pb.ApproveTimeEntriesRequest(
        user_id=str(MEMBER), **week))
    assert [e.is_locked for e in approved.entries] == [True]


async def test_expenses_ask_the_project_and_org_before_their_transaction(world: World):
    expense = (await world.call("CreateExpense", pb.CreateExpenseRequest(
        project_id=PROJECT, description="Train", amount="12.50", category="travel"))).expense
    assert expense.currency == "USD"  # the project's, before the org's
    world.directory.asked.clear()
    changed = (await world.call("UpdateExpense", pb.UpdateExpenseRequest(
        id=expense.id, expense_date="2026-01-07"))).expense
    assert changed.expense_date == "2026-01-07"
    assert world.directory.asked == ["GetOrganization"]
    world.directory.asked.clear()
    await world.call("UpdateExpense", pb.UpdateExpenseRequest(id=expense.id, amount="13"))
    assert world.directory.asked == []  # nothing to ask when the date stays


async def test_a_platform_sync_asks_for_people_and_projects_before_its_transaction(
        world: World, monkeypatch: pytest.MonkeyPatch):
    staged = []

    async def import_batch(session, org_id, job_id, source, records):
        staged.extend(records)
        return range(len(records))

    monkeypatch.setattr(platform_entries.import_staging, "import_batch", import_batch)
    same = {"date_worked": "2026-01-05", "hours": "1.1", "billable": True}
    answer = await world.call("SyncExternalEntries", pb.SyncExternalEntriesRequest(
        source="harvest", entries=[
            pb.ExternalEntry(external_id="1", project_id=PROJECT, email="P@example.com", **same),
            pb.ExternalEntry(external_id="2", project_id=PROJECT, email="x@example.com", **same),
            pb.ExternalEntry(external_id="3", project_id=ARCHIVED, first_name="Pat",
                             last_name="Doe", **same)]))
    assert (answer.created, [(e.external_id, e.field) for e in answer.errors]) == (
        1, [("2", "email"), ("3", "project_id")])
    assert [(r.user_id, r.rounded_hours, r.external_id) for r in staged] == [
        (str(MEMBER), 125, "1")]
    assert sorted(set(world.directory.asked)) == [
        "GetOrganization", "GetProject", "ListMembers", "ListResources"]
    assert world.transactions.opened == 1 and world.store.events == [("entry.imported", None)]


async def test_a_platform_sync_by_a_member_asks_no_one(world: World):
    with pytest.raises(PermissionDenied):
        await world.call("SyncExternalEntries", pb.SyncExternalEntriesRequest(
            source="harvest", entries=[pb.ExternalEntry(external_id="1", project_id=PROJECT)]),
            role=Role.MEMBER, user_id=MEMBER)
    assert world.directory.asked == []


# --- answers asked early behave as if asked where the handler needs them ---------------------


async def test_a_refusal_from_another_service_comes_in_the_handlers_order(world: World):
    with pytest.raises(InvalidArgument) as archived:
        await world.call("CreateTimeEntry", pb.CreateTimeEntryRequest(project_id=ARCHIVED,
                                                                      hours="1"))
    assert archived.value.field_errors[0].field == "project_id"
    with pytest.raises(InvalidArgument) as outsider:
        await world.call("CreateTimeEntry", pb.CreateTimeEntryRequest(
            project_id=PROJECT, hours="1", user_id=str(OUTSIDER)))
    assert outsider.value.field_errors[0].field == "user_id"
    # identity is down, but an unknown entry is still 404: the entry is looked up first.
    world.directory.down.add("identity")
    with pytest.raises(NotFound):
        await world.call("UpdateTimeEntry", pb.UpdateTimeEntryRequest(
            id=str(uuid.uuid4()), hours="1"))
    with pytest.raises(Unavailable):
        await world.call("StopTimer", pb.StopTimerRequest())
    assert world.store.entries == {} and world.store.events == []


async def test_a_caller_the_handler_refuses_asks_no_other_service(world: World):
    with pytest.raises(PermissionDenied):
        await world.call("CreateTimeEntry", pb.CreateTimeEntryRequest(
            project_id=PROJECT, hours="1"), role=Role.VIEWER)
    with pytest.raises(InvalidArgument):
        await world.call("CreateTimeEntry", pb.CreateTimeEntryRequest(
            project_id=PROJECT, hours="25"))
    with pytest.raises(PermissionDenied):
        await world.call("ApproveTimeEntries", pb.ApproveTimeEntriesRequest(
            user_id=str(MEMBER), date_from="2026-01-05", date_to="2026-01-11"),
            role=Role.MEMBER, user_id=MEMBER)
    assert world.directory.asked == []


async def test_a_retried_request_answers_its_first_response_whatever_the_project_is_now(
        world: World):
    request = pb.CreateTimeEntryRequest(project_id=PROJECT, hours="1", date_worked="2026-01-05")
    first = await world.call("CreateTimeEntry", request, key="k-1")
    project = world.directory.projects[uuid.UUID(PROJECT)]
    world.directory.projects[project.id] = replace(project, archived=True)
    again = await world.call("CreateTimeEntry", request, key="k-1")
    assert again == first and len(world.store.entries) == 1


async def test_the_fake_directory_catches_a_call_made_with_a_transaction_open(world: World):
    """The guard itself: what the handlers did before they asked first."""
    uow = FakeUnitOfWork(world.store, world.transactions, Scope(org_id=ORG))
    async with uow:
        with pytest.raises(AssertionError, match="transaction was open"):
            await world.directory.organization("t")


# --- the membership check asks identity's GetMember ------------------------------------------


class _Identity:
    """identity's stub as the real Directory calls it: GetMember answers, ListMembers fails."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def GetMember(self, request, metadata=()):
        self.asked.append(request.user_id)
        if request.user_id != str(MEMBER):
            raise _not_found()
        return identity_pb.GetMemberResponse(member=identity_pb.Member(user=identity_pb.User(
            id=str(MEMBER), email="p@example.com", first_name="Pat", last_name="Doe")))

    async def ListMembers(self, request, metadata=()):
        raise AssertionError("one membership check must not list every member")


def _not_found() -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(grpc.StatusCode.NOT_FOUND, grpc.aio.Metadata(),
                                grpc.aio.Metadata(), details="No such member.")


async def test_the_membership_check_asks_identitys_get_member():
    directory = Directory.__new__(Directory)  # no channels: only its identity stub is used
    directory._identity = _Identity()  # type: ignore[attr-defined]
    manager = Principal(user_id=MANAGER, org_id=ORG, role=Role.MANAGER, token="t")
    assert await entries.subject_user(directory, manager, MEMBER) == MEMBER
    with pytest.raises(InvalidArgument) as outsider:
        await entries.subject_user(directory, manager, OUTSIDER)
    assert outsider.value.field_errors[0].field == "user_id"
    assert directory._identity.asked == [str(MEMBER), str(OUTSIDER)]  # type: ignore[attr-defined]
    assert await entries.subject_user(directory, manager, None) == MANAGER  # no call for oneself
    assert len(directory._identity.asked) == 2  # type: ignore[attr-defined]
