"""Read-through: what a write needs of other services, read from time's own read models (kept
from the owners' events, entrypoints/read_model_consumers.py) before its transaction opens, and
asked over gRPC only when the read model cannot answer.

`KnownDirectory` answers the questions the write path puts to `Directory` (the project, the
org, a person's rates, a resource), with the same meaning:

- a row that has been left alone for a while (`read_model_settle_seconds`, default 5 s)
  answers, in one short read-only transaction, without asking anyone;
- "the event has not arrived yet" (a project created a millisecond ago, an org or a person
  time never heard of, a resource whose rate history time does not know whole, a user whose
  resource link is moving between two resources): the owner is asked over gRPC as before, its
  answer is used and kept (a project or org as of its `updated_at`; a rate history read once
  with ListResourceRates, before any event), so the next write reads it locally. An event newer
  than the kept answer replaces it; an older one changes nothing;
- a row changed within the settle time: the owner is asked too (while the owner is down or
  too slow, that row answers instead of a 503). Changes come in bursts (an org signs up and
  sets its rounding, a project is created and archived, a resource gets its rates), and while
  one is fresh the next may still be on its way; once the row has been quiet, a change can
  only be missed for as long as its event takes (milliseconds; longer while the owner's relay
  or NATS is down).

A member capacity knows no resource for (GetRates answers "none") is asked about until that
"none" has held for the settle time; then, for that day, it answers locally while time's read
model links no resource to them (domain NoRatesAnswers: kept in memory, ten minutes at most).

So an answer never depends on an event having arrived: either a quiet row answers, or the
owner does. What a read model cannot promise is a change made in the last instant after a
quiet spell: such a write still sees the state before it (an entry on a project archived a
few milliseconds ago, the old rate). Rates are snapshotted and the archive check is a guard
against mistakes, not a lock, so that is the trade for not asking three services per write.

Membership of another user (a manager logging for someone) is still asked (GetMember): it is
an authorization check, rare, and must see a removal at once. A task is still asked (GetTask):
time keeps no tasks. Imports keep their own bulk asks (import_references.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

import structlog

from labs_common.auth.principal import Principal, optional_principal
from labs_common.auth.roles import Role
from labs_common.db.uow import Scope
from labs_common.errors import DeadlineExceeded, LabsError, Unavailable
from labs_time.adapters.directory import (
    Directory,
    Organization,
    PersonRates,
    Project,
    Resource,
)
from labs_time.domain.known import (
    KnownRate,
    KnownResource,
    NoRatesAnswers,
    rates_on,
    rates_settled,
    settled,
    the_resource_of,
    unlinked,
)
from labs_time.domain.model import Rates
from labs_time.service_layer.unit_of_work import TimeUnitOfWork

log = structlog.get_logger(__name__)
T = TypeVar("T")


def _utc_now() -> datetime:
    return datetime.now(UTC)


async def _or_kept(question: Awaitable[T], kept: T | None) -> T:
    """The owner's answer; while the owner cannot answer (down, or too slow), the row time
    keeps, changed a moment ago or not, rather than a 503: it was the truth a moment ago."""
    try:
        return await question
    except (Unavailable, DeadlineExceeded):
        if kept is None:
            raise
        log.warning("time.read_model_answers_for_an_unavailable_owner")
        return kept


@dataclass
class _ReadAhead:
    """The rows one request's questions will need, read together (`KnownDirectory.read_once`)."""

    caller: Principal
    projects: dict[uuid.UUID, Project | None] = field(default_factory=dict)
    organization: Organization | None = None
    # user → (their resource, its rate history, whether no resource at all is linked to them)
    people: dict[uuid.UUID, tuple[KnownResource | None, list[KnownRate], bool]] = field(
        default_factory=dict)


_READ_AHEAD: ContextVar[_ReadAhead | None] = ContextVar("labs_time_read_ahead", default=None)


async def _periods(uow: TimeUnitOfWork, resource: KnownResource | None) -> list[KnownRate]:
    """The resource's rate history, when time knows it whole (else none: capacity is asked)."""
    if resource is None or not resource.rates_complete:
        return []
    return await uow.known_resources.rates(resource.id)


async def _person(uow: TimeUnitOfWork, user_id: uuid.UUID
                  ) -> tuple[KnownResource | None, bool]:
    """The user's resource as time knows it, and whether no resource at all is linked to them."""
    linked = await uow.known_resources.of_user(user_id)
    return the_resource_of(user_id, linked), unlinked(user_id, linked)


class KnownDirectory:
    """`Directory`'s write-path questions, answered from the read models first. Anything else
    (members, tasks, imports' lists) goes to the `Directory` as it is."""

    def __init__(self, uow: Callable[[Scope], TimeUnitOfWork], remote: Directory, *,
                 settle_seconds: float = 5.0,
                 clock: Callable[[], datetime] = _utc_now) -> None:
        self._uow = uow
        self._remote = remote
        self._settle = timedelta(seconds=settle_seconds)
        self._clock = clock
        self._no_rates = NoRatesAnswers()

    def __getattr__(self, name: str):
        return getattr(self._remote, name)

    def _caller(self, token: str) -> Principal | None:
        """The caller whose org the read models are read in: the RPC's, when the token is its
        (the read model is only as wide as the caller's org); None sends the question on. A
        client sees only its own projects, which projects decides: a client is always asked
        for (it logs no time; only its 404s and 403s depend on this)."""
        principal = optional_principal()
        if principal is None or principal.token != token or principal.role is Role.CLIENT:
            return None
        return principal

    def _settled(self, as_of: datetime | None) -> bool:
        return settled(as_of, self._clock(), self._settle)

    @asynccontextmanager
    async def read_once(self, token: str, *, project_ids: Iterable[uuid.UUID] = (),
                        user_ids: Iterable[uuid.UUID] = ()) -> AsyncIterator[None]:
        """Within the block, the project, the org and the people's rates a request is about to
        ask for come from one read-only transaction, read here, instead of one each: a write
        spends more on round trips to PostgreSQL than on anything else. A row missing or not
        settled is asked of its owner as ever (after this transaction has closed)."""
        caller = self._caller(token)
        if caller is None:
            yield
            return
        ahead = _ReadAhead(caller)
        async with self._uow(Scope.of_caller(caller)) as uow:
            for project_id in project_ids:
                ahead.projects[project_id] = await uow.known_projects.get(project_id)
            ahead.organization = await uow.known_organizations.get()
            for user_id in user_ids:
                resource, alone = await _person(uow, user_id)
                ahead.people[user_id] = (resource, await _periods(uow, resource), alone)
        reset = _READ_AHEAD.set(ahead)
        try:
            yield
        finally:
            _READ_AHEAD.reset(reset)

    @staticmethod
    def _ahead(caller: Principal) -> _ReadAhead | None:
        ahead = _READ_AHEAD.get()
        return ahead if ahead is not None and ahead.caller is caller else None

    async def project(self, token: str, project_id: uuid.UUID) -> Project:
        caller, found = self._caller(token), None
        if caller is not None:
            ahead = self._ahead(caller)
            if ahead is not None and project_id in ahead.projects:
                found = ahead.projects[project_id]
            else:
                async with self._uow(Scope.of_caller(caller)) as uow:
                    found = await uow.known_projects.get(project_id)
            if found is not None and self._settled(found.as_of):
                return found
        project = await _or_kept(self._remote.project(token, project_id), found)
        if project is found:
            return project
        if caller is not None and project.as_of is not None:
            as_of = project.as_of
            await self._remember(caller, lambda uow: uow.known_projects.put(as_of, project))
        return project

    async def organization(self, token: str) -> Organization:
        caller, found = self._caller(token), None
        if caller is not None:
            ahead = self._ahead(caller)
            if ahead is not None:
                found = ahead.organization
            else:
                async with self._uow(Scope.of_caller(caller)) as uow:
                    found = await uow.known_organizations.get()
            if found is not None and self._settled(found.as_of):
                return found
        org = await _or_kept(self._remote.organization(token), found)
        if org is found:
            return org
        if caller is not None and org.as_of is not None:
            as_of = org.as_of
            await self._remember(caller, lambda uow: uow.known_organizations.put_newer(as_of,
                                                                                       org))
        return org

    async def resource(self, token: str, resource_id: uuid.UUID) -> Resource:
        caller = self._caller(token)
        if caller is not None:
            async with self._uow(Scope.of_caller(caller)) as uow:
                found = await uow.known_resources.get(resource_id)
            # A row only an answer filled in (no name, no email) waits for its own event.
            if found is not None and (found.name or found.email) and self._settled(found.as_of):
                return Resource(found.id, found.name, found.email, found.user_id)
        return await self._remote.resource(token, resource_id)

    async def person_rates(self, token: str, user_id: uuid.UUID, on: date) -> PersonRates:
        """The member's rates on `on`, as GetRates answers them."""
        async def known(uow: TimeUnitOfWork) -> tuple[KnownResource | None, bool]:
            return await _person(uow, user_id)
        return await self._rates(token, on, known,
                                 lambda: self._remote.person_rates(token, user_id, on),
                                 user_id=user_id)

    async def resource_rates(self, token: str, resource_id: uuid.UUID, on: date
                             ) -> PersonRates:
        """A resource's rates on `on`, as GetRates answers them."""
        async def known(uow: TimeUnitOfWork) -> tuple[KnownResource | None, bool]:
            return await uow.known_resources.get(resource_id), False
        return await self._rates(token, on, known,
                                 lambda: self._remote.resource_rates(token, resource_id, on),
                                 resource_id=resource_id)

    async def _rates(self, token: str, on: date,
                     known: Callable[[TimeUnitOfWork],
                                     Awaitable[tuple[KnownResource | None, bool]]],
                     ask: Callable[[], Awaitable[PersonRates]], *,
                     user_id: uuid.UUID | None = None, resource_id: uuid.UUID | None = None
                     ) -> PersonRates:
        """A quiet local answer, else capacity's (the kept one while capacity cannot answer),
        whose resource's history is then learnt."""
        caller, local, alone = self._caller(token), None, False
        if caller is not None:
            ahead = self._ahead(caller)
            if ahead is not None and user_id in ahead.people:
                resource, periods, alone = ahead.people[user_id]
            else:
                async with self._uow(Scope.of_caller(caller)) as uow:
                    resource, alone = await known(uow)
                    periods = await _periods(uow, resource)
            if resource is not None:
                local, quiet = self._local_rates(resource, periods, on)
                if quiet:
                    return local  # type: ignore[return-value]
            elif alone and user_id is not None:
                since = self._no_rates.since(caller.org_id, user_id, on, self._clock())
                if since is not None:
                    local = PersonRates(None, Rates.none())
                    if self._settled(since):
                        return local
        answer = await _or_kept(ask(), local)
        if answer is local:
            return answer
        if caller is not None and user_id is not None and alone:
            if answer.resource_id is None:
                self._no_rates.heard(caller.org_id, user_id, on, self._clock())
            else:
                self._no_rates.forget(caller.org_id, user_id, on)
        if caller is not None and answer.resource_id is not None:
            await self._learn_history(caller, token, resource_id or answer.resource_id,
                                      user_id)
        return answer

    def _local_rates(self, resource: KnownResource, periods: list[KnownRate], on: date
                     ) -> tuple[PersonRates | None, bool]:
        """GetRates' answer from the read model (None when its history is not whole), and
        whether it is quiet enough to be given without asking capacity."""
        if not resource.rates_complete:
            return None, False
        rates = rates_on(periods, on)
        # GetRates answers found = false (no resource, no rates) before the first period.
        answer = PersonRates(resource.id, rates) if rates else PersonRates(None, Rates.none())
        return answer, rates_settled(resource, periods, self._clock(), self._settle)

    async def _learn_history(self, caller: Principal, token: str, resource_id: uuid.UUID,
                             user_id: uuid.UUID | None) -> None:
        """Keeps the resource's whole rate history, so its next rates are read locally. The
        answer in hand stands whatever happens here: a failure only means asking again."""
        async with self._uow(Scope.of_caller(caller)) as uow:
            known = await uow.known_resources.get(resource_id)
        if known is not None and known.rates_complete:
            return
        try:
            history = await self._remote.rate_history(token, resource_id)
        except LabsError as error:
            log.warning("time.rate_history_unavailable", resource_id=str(resource_id),
                        error=str(error))
            return
        await self._remember(caller, lambda uow: uow.known_resources.remember_history(
            resource_id, user_id, history))

    async def _remember(self, caller: Principal,
                        write: Callable[[TimeUnitOfWork], Awaitable[object]]) -> None:
        """Keeps an owner's answer in its own short transaction (never the handler's)."""
        try:
            async with self._uow(Scope.of_caller(caller)) as uow:
                await write(uow)
                await uow.commit()
        except Exception as error:  # a read model left unfilled never fails the request
            log.warning("time.read_model_fill_failed", error=str(error))
