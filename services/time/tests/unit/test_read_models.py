"""Time's read models without I/O: the rate rule (capacity's GetRates), when a row may answer
(settled), which resource is a user's, the read-through in front of the other services (a quiet
row answers, anything else is asked and kept, and nothing is asked while a transaction is open),
and the consumers that feed the rows (an older event changes nothing)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from google.protobuf import any_pb2

from labs.capacity.v1 import capacity_service_pb2 as capacity_pb
from labs.capacity.v1 import events_pb2 as capacity_events
from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2 as identity_events
from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.projects.v1 import events_pb2 as projects_events
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs_common.auth.principal import bind_principal, reset_principal
from labs_common.auth.roles import Role
from labs_common.db.uow import Scope
from labs_common.errors import Unavailable
from labs_common.testing.fakes import FakeUnitOfWork, a_caller
from labs_time.adapters.directory import Organization, PersonRates, Project
from labs_time.domain.known import (
    BEFORE_ANY_EVENT,
    SINCE_ALWAYS,
    KnownRate,
    KnownResource,
    NoRatesAnswers,
    rates_on,
    rates_settled,
    settled,
    the_resource_of,
)
from labs_time.domain.model import Rates
from labs_time.entrypoints import read_model_consumers as consumers
from labs_time.service_layer.known import KnownDirectory

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(hours=1)
JUST_NOW = NOW - timedelta(seconds=1)
SETTLE = timedelta(seconds=5)


def seen(answer: PersonRates) -> tuple:
    """A PersonRates as a value (it compares by identity: imports hand out one per period)."""
    return answer.resource_id, answer.rates


NONE = (None, Rates.none())


def rate(since: date, billing: str, cost: str | None = None, as_of=BEFORE_ANY_EVENT):
    return KnownRate(since, Decimal(billing), Decimal(cost) if cost else None, "USD", as_of)


# --- the rules --------------------------------------------------------------------------------


def test_the_rate_on_a_date_is_the_latest_period_starting_on_or_before_it():
    history = [rate(SINCE_ALWAYS, "100", "60"), rate(date(2026, 3, 1), "120", "70"),
               rate(date(2026, 5, 1), "150")]
    assert rates_on(history, date(2020, 1, 1)) == Rates(Decimal("100"), Decimal("60"), "USD",
                                                         "resource")
    assert rates_on(history, date(2026, 2, 28)).billable_rate == Decimal("100")
    assert rates_on(history, date(2026, 3, 1)).billable_rate == Decimal("120")
    assert rates_on(history, date(2026, 4, 30)).billable_rate == Decimal("120")
    assert rates_on(reversed(history), date(2026, 9, 1)).billable_rate == Decimal("150")
    assert rates_on(history, date(2026, 9, 1)).cost_rate is None


def test_before_the_first_period_there_is_no_rate_as_getrates_answers_not_found():
    history = [rate(date(2026, 3, 1), "120")]
    assert rates_on(history, date(2026, 2, 28)) is None
    assert rates_on([], date(2026, 2, 28)) is None


def test_a_row_answers_only_once_it_has_been_left_alone_for_the_settle_time():
    assert settled(LONG_AGO, NOW, SETTLE)
    assert settled(NOW - SETTLE, NOW, SETTLE)
    assert not settled(JUST_NOW, NOW, SETTLE)
    assert not settled(None, NOW, SETTLE)
    assert settled(NOW, NOW, timedelta(0))


def test_rates_answer_once_the_history_is_whole_and_nothing_of_it_just_changed():
    resource = KnownResource(uuid.uuid4(), "Ada", "ada@x.test", None, False, True, LONG_AGO)
    quiet = [rate(SINCE_ALWAYS, "100", as_of=LONG_AGO)]
    assert rates_settled(resource, quiet, NOW, SETTLE)
    assert not rates_settled(replace(resource, rates_complete=False), quiet, NOW, SETTLE)
    assert not rates_settled(replace(resource, as_of=JUST_NOW), quiet, NOW, SETTLE)
    assert not rates_settled(resource, [*quiet, rate(date(2026, 6, 1), "110", as_of=JUST_NOW)],
                             NOW, SETTLE)


def test_a_user_has_a_resource_only_when_exactly_one_person_is_linked_to_them():
    user = uuid.uuid4()

    def linked(to, placeholder=False):
        return KnownResource(uuid.uuid4(), "", "", to, placeholder, True)

    ada = linked(user)
    assert the_resource_of(user, []) is None
    assert the_resource_of(user, [ada, linked(uuid.uuid4())]) == ada
    assert the_resource_of(user, [ada, linked(user, placeholder=True)]) == ada
    # A link moving from one resource to another, only one of the two events heard: ask.
    assert the_resource_of(user, [ada, linked(user)]) is None


# --- fakes: the read-model repositories with the SQL's newer-wins rule -------------------------


def test_held_none_answers_are_bounded_the_oldest_forgotten_first():
    answers = NoRatesAnswers(most=2)
    org, day = uuid.uuid4(), NOW.date()
    users = [uuid.uuid4() for _ in range(3)]
    for user in users:
        answers.heard(org, user, day, NOW)
    assert [answers.since(org, u, day, NOW) for u in users] == [None, NOW, NOW]
    answers.heard(org, users[2], day, NOW + SETTLE)  # held: keeps its first time
    assert answers.since(org, users[2], day, NOW + SETTLE) == NOW


@dataclass
class Tracker:
    open: int = 0
    opened: int = 0  # transactions begun in all


class FakeKnownOrganizations:
    def __init__(self, uow) -> None:
        self.row: Organization | None = None
        self.uow = uow

    async def get(self):
        return self.row

    async def put_newer(self, as_of, org):
        if self.row is not None and not self.row.as_of < as_of:
            return False
        self.row = replace(org, as_of=as_of)
        return True


class FakeKnownProjects:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Project] = {}

    async def get(self, project_id):
        return self.rows.get(project_id)

    async def put(self, as_of, project):
        old = self.rows.get(project.id)
        if old is not None and not old.as_of < as_of:
            return False
        self.rows[project.id] = replace(project, as_of=as_of)
        return True


class FakeKnownResources:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, KnownResource] = {}
        self.periods: dict[tuple[uuid.UUID, date], KnownRate] = {}

    async def get(self, resource_id):
        return self.rows.get(resource_id)

    async def of_user(self, user_id):
        return [r for r in self.rows.values() if r.user_id == user_id]

    async def rates(self, resource_id):
        return sorted((p for (r, _), p in self.periods.items() if r == resource_id),
                      key=lambda p: p.effective_from)

    async def put(self, as_of, resource):
        old = self.rows.get(resource.id)
        if old is not None and not old.as_of < as_of:
            return False
        complete = old.rates_complete if old is not None else False
        self.rows[resource.id] = replace(resource, rates_complete=complete, as_of=as_of)
        return True

    async def put_rate(self, resource_id, as_of, known):
        old = self.periods.get((resource_id, known.effective_from))
        if old is not None and not old.as_of < as_of:
            return False
        self.periods[(resource_id, known.effective_from)] = replace(known, as_of=as_of)
        return True

    async def remember_history(self, resource_id, user_id, history):
        self.rows.setdefault(resource_id, KnownResource(resource_id, "", "", user_id, False,
                                                        False, BEFORE_ANY_EVENT))
        for period in history:
            self.periods.setdefault((resource_id, period.effective_from), period)
        self.rows[resource_id] = replace(self.rows[resource_id], rates_complete=True)


class FakeTimeUnitOfWork(FakeUnitOfWork):
    """One set of read-model rows shared by every unit of work the factory opens; `tracker`
    counts the transactions open at a time."""

    def __init__(self, scope=None, *, caller=None, tracker=None, shared=None) -> None:
        self.tracker = tracker or Tracker()
        self._shared = shared
        super().__init__(scope, caller=caller)

    def _start(self) -> None:
        if self._shared is not None:
            self.known_organizations, self.known_projects, self.known_resources = self._shared
            return
        self.known_organizations = FakeKnownOrganizations(self)
        self.known_projects = FakeKnownProjects()
        self.known_resources = FakeKnownResources()

    async def __aenter__(self):
        self.tracker.open += 1
        self.tracker.opened += 1
        return self

    async def __aexit__(self, *exc_info):
        self.tracker.open -= 1
        await super().__aexit__(*exc_info)


@dataclass
class FakeDirectory:
    """The other services; fails the test when asked while a transaction is open."""

    tracker: Tracker
    project_answer: Project | None = None
    org_answer: Organization | None = None
    rates_answer: PersonRates = field(default_factory=lambda: PersonRates(None, Rates.none()))
    history: list[KnownRate] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)

    def _ask(self, what: str) -> None:
        assert self.tracker.open == 0, f"{what} asked inside a transaction"
        self.asked.append(what)

    async def project(self, token, project_id):
        self._ask("GetProject")
        if isinstance(self.project_answer, Exception):
            raise self.project_answer
        return self.project_answer

    async def organization(self, token):
        self._ask("GetOrganization")
        return self.org_answer

    async def person_rates(self, token, user_id, on):
        self._ask("GetRates")
        if isinstance(self.rates_answer, Exception):
            raise self.rates_answer
        return self.rates_answer

    async def resource_rates(self, token, resource_id, on):
        self._ask("GetRates")
        return self.rates_answer

    async def rate_history(self, token, resource_id):
        self._ask("ListResourceRates")
        if isinstance(self.history, Exception):
            raise self.history
        return self.history

    async def member(self, token, user_id):
        self._ask("GetMember")


class World:
    def __init__(self) -> None:
        self.caller = a_caller(Role.MEMBER)
        self.tracker = Tracker()
        first = FakeTimeUnitOfWork(caller=self.caller, tracker=self.tracker)
        self.rows = (first.known_organizations, first.known_projects, first.known_resources)
        self.remote = FakeDirectory(self.tracker)
        self.now = NOW
        self.known = KnownDirectory(self.uow, self.remote, settle_seconds=5,
                                    clock=lambda: self.now)

    def uow(self, scope: Scope) -> FakeTimeUnitOfWork:
        assert scope.org_id == self.caller.org_id
        return FakeTimeUnitOfWork(scope, tracker=self.tracker, shared=self.rows)

    @property
    def projects(self) -> FakeKnownProjects:
        return self.rows[1]

    @property
    def resources(self) -> FakeKnownResources:
        return self.rows[2]


@pytest.fixture
def world():
    world = World()
    bound = bind_principal(world.caller)
    yield world
    reset_principal(bound)


def a_project(as_of=None, override="150.00") -> Project:
    return Project(uuid.uuid4(), "Website", False, Decimal(override), "EUR", as_of)


# --- the read-through -------------------------------------------------------------------------


async def test_a_quiet_project_row_answers_without_asking_projects(world):
    known = a_project(LONG_AGO)
    world.projects.rows[known.id] = known
    assert await world.known.project(world.caller.token, known.id) == known
    assert world.remote.asked == []


async def test_a_project_time_has_not_heard_of_is_asked_and_kept(world):
    world.remote.project_answer = answer = a_project(JUST_NOW)
    assert await world.known.project(world.caller.token, answer.id) == answer
    assert world.remote.asked == ["GetProject"]
    assert world.projects.rows[answer.id].as_of == JUST_NOW


async def test_a_project_changed_a_moment_ago_is_asked_again(world):
    stale = a_project(JUST_NOW)
    world.projects.rows[stale.id] = stale
    world.remote.project_answer = fresh = replace(stale, archived=True, as_of=NOW)
    assert (await world.known.project(world.caller.token, stale.id)).archived
    assert world.remote.asked == ["GetProject"]
    assert world.projects.rows[stale.id] == fresh


async def test_while_projects_is_down_a_row_changed_a_moment_ago_still_answers(world):
    fresh = a_project(JUST_NOW)
    world.projects.rows[fresh.id] = fresh
    world.remote.project_answer = Unavailable("projects is down")  # type: ignore[assignment]
    assert await world.known.project(world.caller.token, fresh.id) == fresh


async def test_while_projects_is_down_a_project_time_never_heard_of_is_a_503(world):
    world.remote.project_answer = Unavailable("projects is down")  # type: ignore[assignment]
    with pytest.raises(Unavailable):
        await world.known.project(world.caller.token, uuid.uuid4())


async def test_another_token_than_the_callers_is_always_asked(world):
    known = a_project(LONG_AGO)
    world.projects.rows[known.id] = known
    world.remote.project_answer = known
    await world.known.project("someone-elses-token", known.id)
    assert world.remote.asked == ["GetProject"]


async def test_a_client_is_always_asked_for_projects_decide_what_it_sees(world):
    known = a_project(LONG_AGO)
    world.projects.rows[known.id] = known
    world.remote.project_answer = known
    client = a_caller(Role.CLIENT, org_id=world.caller.org_id, client_id=uuid.uuid4())
    bound = bind_principal(client)
    try:
        await world.known.project(client.token, known.id)
    finally:
        reset_principal(bound)
    assert world.remote.asked == ["GetProject"]


async def test_the_org_is_read_locally_once_quiet_and_asked_while_unknown(world):
    world.remote.org_answer = Organization("Europe/Berlin", "EUR", {"time_rounding": {}},
                                           LONG_AGO)
    first = await world.known.organization(world.caller.token)
    second = await world.known.organization(world.caller.token)
    assert first == second == world.remote.org_answer
    assert world.remote.asked == ["GetOrganization"]


async def test_a_members_rates_are_read_locally_once_their_history_is_whole(world):
    ada = KnownResource(uuid.uuid4(), "Ada", "ada@x.test", world.caller.user_id, False, True,
                        LONG_AGO)
    world.resources.rows[ada.id] = ada
    for period in (rate(SINCE_ALWAYS, "100", "60"), rate(date(2026, 5, 1), "120", "70")):
        world.resources.periods[(ada.id, period.effective_from)] = period
    april = await world.known.person_rates(world.caller.token, world.caller.user_id,
                                           date(2026, 4, 30))
    may = await world.known.person_rates(world.caller.token, world.caller.user_id,
                                         date(2026, 5, 1))
    assert seen(april) == (ada.id, Rates(Decimal("100"), Decimal("60"), "USD", "resource"))
    assert may.rates.billable_rate == Decimal("120") and may.resource_id == ada.id
    assert world.remote.asked == []


async def test_one_read_answers_a_writes_project_org_and_rates(world):
    project = a_project(LONG_AGO)
    world.projects.rows[project.id] = project
    world.rows[0].row = Organization("Europe/Berlin", "EUR", {}, LONG_AGO)
    ada = KnownResource(uuid.uuid4(), "Ada", "ada@x.test", world.caller.user_id, False, True,
                        LONG_AGO)
    world.resources.rows[ada.id] = ada
    world.resources.periods[(ada.id, SINCE_ALWAYS)] = rate(SINCE_ALWAYS, "100", "60")
    token, user = world.caller.token, world.caller.user_id
    async with world.known.read_once(token, project_ids=[project.id], user_ids=[user]):
        assert await world.known.project(token, project.id) == project
        assert (await world.known.organization(token)).timezone == "Europe/Berlin"
        rates = await world.known.person_rates(token, user, date(2026, 4, 30))
    assert rates.resource_id == ada.id and rates.rates.billable_rate == Decimal("100")
    assert world.tracker.opened == 1 and world.remote.asked == []


async def test_a_row_read_ahead_but_not_settled_is_still_asked_after_the_read_closed(world):
    fresh = a_project(JUST_NOW)
    world.projects.rows[fresh.id] = fresh
    world.remote.project_answer = replace(fresh, name="Renamed", as_of=NOW)
    async with world.known.read_once(world.caller.token, project_ids=[fresh.id]):
        answered = await world.known.project(world.caller.token, fresh.id)
    # FakeDirectory fails the test if projects is asked while a transaction is open.
    assert answered.name == "Renamed" and world.remote.asked == ["GetProject"]


async def test_while_capacity_is_down_rates_changed_a_moment_ago_still_answer(world):
    ada = KnownResource(uuid.uuid4(), "Ada", "", world.caller.user_id, False, True, JUST_NOW)
    world.resources.rows[ada.id] = ada
    world.resources.periods[(ada.id, SINCE_ALWAYS)] = rate(SINCE_ALWAYS, "100")
    world.remote.rates_answer = Unavailable("capacity is down")  # type: ignore[assignment]
    answer = await world.known.person_rates(world.caller.token, world.caller.user_id,
                                            NOW.date())
    assert seen(answer) == (ada.id, Rates(Decimal("100"), None, "USD", "resource"))
    assert world.remote.asked == ["GetRates"]


async def test_before_the_first_rates_the_local_answer_is_none_as_capacitys(world):
    ada = KnownResource(uuid.uuid4(), "Ada", "", None, False, True, LONG_AGO)
    world.resources.rows[ada.id] = ada
    world.resources.periods[(ada.id, date(2026, 5, 1))] = rate(date(2026, 5, 1), "120")
    answer = await world.known.resource_rates(world.caller.token, ada.id, date(2026, 4, 1))
    assert seen(answer) == NONE
    assert world.remote.asked == []


async def test_a_resource_heard_of_only_from_its_event_is_asked_and_its_history_kept(world):
    ada = KnownResource(uuid.uuid4(), "Ada", "", world.caller.user_id, False, False, LONG_AGO)
    world.resources.rows[ada.id] = ada  # resource.created says nothing of when rates began
    world.remote.rates_answer = PersonRates(ada.id, Rates(Decimal("90"), None, "USD",
                                                          "resource"))
    world.remote.history = [rate(date(2026, 1, 1), "90")]
    answer = await world.known.person_rates(world.caller.token, world.caller.user_id, NOW.date())
    assert answer is world.remote.rates_answer
    assert world.remote.asked == ["GetRates", "ListResourceRates"]
    assert world.resources.rows[ada.id].rates_complete
    # From now on the history answers: before 2026 capacity has no rate for Ada.
    world.remote.asked.clear()
    assert seen(await world.known.person_rates(world.caller.token, world.caller.user_id,
                                               date(2025, 12, 31))) == NONE
    assert world.remote.asked == []


async def test_a_member_without_a_resource_is_asked_until_capacitys_none_has_held(world):
    def rates(on=None):
        return world.known.person_rates(world.caller.token, world.caller.user_id,
                                        on or NOW.date())
    assert seen(await rates()) == NONE
    world.now = NOW + timedelta(seconds=4)
    assert seen(await rates()) == NONE
    assert world.remote.asked == ["GetRates", "GetRates"]
    # Held since the first "none" for the settle time: answered here, for that day only.
    world.now = NOW + timedelta(seconds=5)
    assert seen(await rates()) == NONE
    assert world.remote.asked == ["GetRates", "GetRates"]
    assert seen(await rates(NOW.date() - timedelta(days=1))) == NONE
    assert world.remote.asked == ["GetRates"] * 3
    assert world.resources.rows == {}
    # Ten minutes on, capacity is asked again.
    world.now = NOW + timedelta(minutes=10, seconds=1)
    assert seen(await rates()) == NONE
    assert world.remote.asked == ["GetRates"] * 4


async def test_a_resource_linked_to_the_member_takes_over_from_a_held_none(world):
    await world.known.person_rates(world.caller.token, world.caller.user_id, NOW.date())
    world.now = NOW + timedelta(minutes=1)
    ada = KnownResource(uuid.uuid4(), "Ada", "", world.caller.user_id, False, True, LONG_AGO)
    world.resources.rows[ada.id] = ada  # its event arrived
    world.resources.periods[(ada.id, SINCE_ALWAYS)] = rate(SINCE_ALWAYS, "100")
    answer = await world.known.person_rates(world.caller.token, world.caller.user_id,
                                            NOW.date())
    assert seen(answer) == (ada.id, Rates(Decimal("100"), None, "USD", "resource"))


async def test_two_resources_linked_mid_move_are_asked_even_with_a_held_none(world):
    await world.known.person_rates(world.caller.token, world.caller.user_id, NOW.date())
    world.now = NOW + timedelta(minutes=1)
    for _ in range(2):
        linked = KnownResource(uuid.uuid4(), "Ada", "", world.caller.user_id, False, True,
                               LONG_AGO)
        world.resources.rows[linked.id] = linked
    await world.known.person_rates(world.caller.token, world.caller.user_id, NOW.date())
    assert world.remote.asked == ["GetRates", "GetRates"]


async def test_while_capacity_is_down_a_fresh_none_still_answers(world):
    await world.known.person_rates(world.caller.token, world.caller.user_id, NOW.date())
    world.remote.rates_answer = Unavailable("capacity is down")  # type: ignore[assignment]
    answer = await world.known.person_rates(world.caller.token, world.caller.user_id,
                                            NOW.date())
    assert seen(answer) == NONE and world.remote.asked == ["GetRates", "GetRates"]


async def test_a_history_capacity_cannot_give_leaves_the_answer_standing(world):
    resource_id = uuid.uuid4()
    world.remote.rates_answer = PersonRates(resource_id, Rates(Decimal("90"), None, "USD",
                                                               "resource"))
    world.remote.history = Unavailable("capacity is down")  # type: ignore[assignment]
    answer = await world.known.resource_rates(world.caller.token, resource_id, NOW.date())
    assert answer is world.remote.rates_answer
    assert resource_id not in world.resources.rows


async def test_questions_the_read_models_do_not_hold_go_to_the_other_services(world):
    await world.known.member(world.caller.token, uuid.uuid4())
    assert world.remote.asked == ["GetMember"]


# --- the consumers ----------------------------------------------------------------------------


def envelope(event_type: str, payload, occurred_at: datetime, org_id: uuid.UUID
             ) -> envelope_pb2.Envelope:
    message = envelope_pb2.Envelope(id=str(uuid.uuid4()), type=event_type, org_id=str(org_id))
    message.occurred_at.FromDatetime(occurred_at)
    packed = any_pb2.Any()
    packed.Pack(payload)
    message.payload.CopyFrom(packed)
    return message


@pytest.fixture
def platform():
    """The unit of work a consumer runs in: the event's org, no caller."""
    return FakeTimeUnitOfWork(Scope(org_id=uuid.uuid4(), actor_id=uuid.uuid4()))


def project_message(project_id: uuid.UUID, override: str, status=None) -> projects_pb.Project:
    return projects_pb.Project(id=str(project_id), name="Website", billing_rate_override=override,
                               budget_currency="EUR",
                               status=status or projects_pb.PROJECT_STATUS_ACTIVE)


async def test_a_project_event_keeps_the_project_and_an_older_one_changes_nothing(platform):
    project_id = uuid.uuid4()
    org = platform.scope.org_id
    await consumers.on_project(envelope("project.updated", projects_events.ProjectUpdated(
        project=project_message(project_id, "130.00")), NOW, org), platform)
    await consumers.on_project(envelope("project.created", projects_events.ProjectCreated(
        project=project_message(project_id, "120.00")), LONG_AGO, org), platform)
    kept = await platform.known_projects.get(project_id)
    assert (kept.billing_rate_override, kept.currency, kept.archived) == (
        Decimal("130.00"), "EUR", False)
    await consumers.on_project(envelope("project.archived", projects_events.ProjectArchived(
        project=project_message(project_id, "130.00", projects_pb.PROJECT_STATUS_ARCHIVED)),
        NOW + timedelta(seconds=1), org), platform)
    assert (await platform.known_projects.get(project_id)).archived


async def test_events_of_tasks_and_over_allocations_change_no_read_model(platform):
    org = platform.scope.org_id
    await consumers.on_project(envelope("task.created", projects_events.TaskCreated(), NOW, org),
                               platform)
    await consumers.on_resource(envelope("resource.over_allocated",
                                         capacity_events.ResourceOverAllocated(
                                             resource_id=str(uuid.uuid4())), NOW, org), platform)
    assert platform.known_projects.rows == {} and platform.known_resources.rows == {}


async def test_an_org_event_keeps_timezone_currency_and_settings(platform):
    org_message = identity_pb.Organization(id=str(platform.scope.org_id), timezone="Asia/Tokyo",
                                           currency="JPY")
    org_message.settings.update({"time_rounding": {"unit_minutes": 15, "mode": "up"}})
    await consumers.on_organization(envelope(
        "organization.updated", identity_events.OrganizationUpdated(organization=org_message),
        NOW, platform.scope.org_id), platform)
    older = identity_pb.Organization(id=str(platform.scope.org_id), timezone="UTC")
    await consumers.on_organization(envelope(
        "organization.created", identity_events.OrganizationCreated(organization=older),
        LONG_AGO, platform.scope.org_id), platform)
    kept = await platform.known_organizations.get()
    assert (kept.timezone, kept.currency) == ("Asia/Tokyo", "JPY")
    assert kept.settings == {"time_rounding": {"unit_minutes": 15.0, "mode": "up"}}


async def test_resource_events_keep_the_link_and_rate_periods_newest_first(platform):
    org, resource_id, user_id = platform.scope.org_id, uuid.uuid4(), uuid.uuid4()
    await consumers.on_resource(envelope("resource.created", capacity_events.ResourceCreated(
        resource=capacity_pb.Resource(id=str(resource_id), name="Ada", user_id=str(user_id))),
        LONG_AGO, org), platform)
    first = capacity_pb.Rate(effective_from="", billing_rate="100.00", currency="USD")
    changed = capacity_pb.Rate(effective_from="2026-05-01", billing_rate="120.00",
                               cost_rate="70.00", currency="USD")
    older = capacity_pb.Rate(effective_from="2026-05-01", billing_rate="110.00", currency="USD")
    for when, rate_message in ((LONG_AGO, first), (NOW, changed), (JUST_NOW, older)):
        await consumers.on_resource(envelope(
            "resource.rates_changed", capacity_events.ResourceRatesChanged(
                resource_id=str(resource_id), rate=rate_message), when, org), platform)
    kept = await platform.known_resources.get(resource_id)
    assert kept.user_id == user_id and not kept.rates_complete
    periods = await platform.known_resources.rates(resource_id)
    assert [(p.effective_from, p.billing_rate, p.cost_rate) for p in periods] == [
        (SINCE_ALWAYS, Decimal("100.00"), None),
        (date(2026, 5, 1), Decimal("120.00"), Decimal("70.00"))]
