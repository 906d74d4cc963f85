"""Resources and their effective-dated rates."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

from labs.capacity.v1 import events_pb2
from labs_capacity.adapters import proto
from labs_capacity.domain import commands, rules
from labs_capacity.domain.model import (
    DEFAULT_CAPACITY,
    DEFAULT_WORKING_DAYS,
    SINCE_ALWAYS,
    Rates,
    Resource,
    Seniority,
)
from labs_capacity.service_layer import over_allocation
from labs_capacity.service_layer.access import require_manager, require_reader, today
from labs_capacity.service_layer.unit_of_work import CapacityUnitOfWork
from labs_common.errors import AlreadyExists, FieldErrors, InvalidArgument, NotFound
from labs_common.etag import require_match

RATE_FIELDS = frozenset({"billing_rate", "cost_rate", "currency"})
UPDATABLE = frozenset(
    {
        "name",
        "email",
        "user_id",
        "seniority_level",
        "capacity_hours_per_week",
        "working_days",
        "skills",
        "is_placeholder",
    }
    | RATE_FIELDS
)


def _seniority(value: str) -> Seniority:
    try:
        return Seniority(value)
    except ValueError as error:
        raise InvalidArgument.on(
            "seniority_level", "must be one of senior, mid, junior, contractor"
        ) from error


def _capacity(value: str) -> Decimal:
    if value == "":
        return DEFAULT_CAPACITY
    return rules.parse_decimal(value, "capacity_hours_per_week", maximum=rules.MAX_WEEK_HOURS)


def _check_member(user_id, is_member: bool) -> None:
    if user_id is not None and not is_member:
        raise InvalidArgument.on("user_id", "is not a member of this organization")


async def _check_user(uow: CapacityUnitOfWork, user_id, placeholder: bool, resource_id=None):
    if user_id is None:
        return
    if placeholder:
        raise InvalidArgument.on("user_id", "a placeholder is not linked to a member")
    if await uow.resources.user_taken(user_id, other_than=resource_id):
        raise AlreadyExists(
            "Another resource is already linked to this member.", reason="USER_ALREADY_LINKED"
        )


async def get_rates(
    command: commands.GetRates, uow: CapacityUnitOfWork
) -> tuple[uuid.UUID, Rates] | None:
    require_reader(uow.caller)
    if (command.user_id is None) == (command.resource_id is None):
        raise InvalidArgument.on("user_id", "give exactly one of user_id and resource_id")
    day = rules.parse_date(command.on, "date")
    if command.user_id is not None:
        found = await uow.resources.id_of_user(command.user_id)
    else:
        found = command.resource_id
    if found is None:
        return None
    rates = await uow.resources.rates_on(found, day)
    return (found, rates) if rates else None


async def create_resource(
    command: commands.CreateResource, uow: CapacityUnitOfWork, *, org_currency: str = "USD",
    user_is_member: bool = True,
) -> Resource:
    """A resource with its first rates. Without a cost rate its hours are uncosted until one is
    set; without a currency the org's (`org_currency`, asked before) applies; a user_id must
    name a member of the caller's org (`user_is_member`, asked before). Every wrong field is
    named at once."""
    require_manager(uow.caller)
    given = command.fields
    problems = FieldErrors()
    name = problems.check(lambda: rules.check_name(given.name))
    email = problems.check(lambda: rules.check_email(given.email))
    seniority = problems.check(lambda: _seniority(given.seniority_level))
    billing = problems.check(lambda: rules.parse_rate(given.billing_rate, "billing_rate"))
    cost = problems.check(
        lambda: rules.parse_rate(given.cost_rate, "cost_rate") if given.cost_rate else None)
    currency = problems.check(lambda: rules.check_currency(given.currency or org_currency))
    effective = problems.check(
        lambda: rules.parse_date(command.rates_effective_from, "effective_from", required=False))
    hours = problems.check(lambda: _capacity(given.capacity_hours_per_week))
    days = problems.check(lambda: rules.check_working_days(list(given.working_days))
                          if given.working_days else DEFAULT_WORKING_DAYS)
    skills = problems.check(lambda: rules.check_skills(list(given.skills)))
    problems.check(lambda: _check_member(given.user_id, user_is_member))
    problems.raise_any()
    resource = Resource(
        id=uuid.uuid4(),
        org_id=uow.caller.org_id,
        name=name,
        email=email,
        user_id=given.user_id,
        seniority_level=seniority,
        rates=Rates(billing_rate=billing, cost_rate=cost,
                    currency=currency, effective_from=effective or SINCE_ALWAYS),
        capacity_hours_per_week=hours,
        working_days=days,
        skills=skills,
        is_placeholder=given.is_placeholder,
    )
    await _check_user(uow, given.user_id, given.is_placeholder)
    await uow.resources.add(resource)
    await uow.outbox.add(
        "resource.created", events_pb2.ResourceCreated(resource=proto.resource(resource))
    )
    return resource


async def get_resource(command: commands.GetResource, uow: CapacityUnitOfWork) -> Resource:
    require_reader(uow.caller)
    return await load(uow, command.id)


async def load(uow: CapacityUnitOfWork, resource_id: uuid.UUID, *, lock: bool = False) -> Resource:
    found = await uow.resources.get(resource_id, today(), lock=lock)
    if found is None:
        raise NotFound("No such resource.")
    return found


async def list_resources(
    command: commands.ListResources, uow: CapacityUnitOfWork
) -> list[Resource]:
    require_reader(uow.caller)
    return await uow.resources.list(today(), command.after, command.limit, command.filters)


async def list_rates(command: commands.ListResourceRates, uow: CapacityUnitOfWork) -> list[Rates]:
    require_reader(uow.caller)
    resource = await load(uow, command.id)
    return await uow.resources.rate_history(resource.id)


async def update_resource(command: commands.UpdateResource, uow: CapacityUnitOfWork, *,
                          user_is_member: bool = True) -> Resource:
    """`user_is_member`: whether a new user_id names a member of the org (asked before)."""
    require_manager(uow.caller)
    changed = set(command.update_mask)
    unknown = changed - UPDATABLE
    if unknown:
        raise InvalidArgument.on(sorted(unknown)[0], "cannot be changed")
    resource = await load(uow, command.resource_id, lock=True)
    require_match(resource.etag, list(command.if_match), "resource")
    before = replace(resource)
    given = command.fields
    if "name" in changed:
        resource.name = rules.check_name(given.name)
    if "email" in changed:
        resource.email = rules.check_email(given.email)
    if "seniority_level" in changed:
        resource.seniority_level = _seniority(given.seniority_level)
    if "capacity_hours_per_week" in changed:
        resource.capacity_hours_per_week = _capacity(given.capacity_hours_per_week)
    if "working_days" in changed:
        resource.working_days = rules.check_working_days(list(given.working_days))
    if "skills" in changed:
        resource.skills = rules.check_skills(list(given.skills))
    if "is_placeholder" in changed:
        resource.is_placeholder = given.is_placeholder
    if "user_id" in changed:
        _check_member(given.user_id, user_is_member)
        resource.user_id = given.user_id
    if changed & {"user_id", "is_placeholder"}:
        await _check_user(uow, resource.user_id, resource.is_placeholder, resource.id)
    new_rates = None
    if changed & RATE_FIELDS:
        new_rates = await _new_rates(uow, resource, given, changed, command.rates_effective_from)
    await uow.resources.save(resource)
    if new_rates is not None:
        await uow.resources.set_rates(resource.id, new_rates)
        resource.rates = await uow.resources.rates_on(resource.id, today(), or_earliest=True)
        await uow.outbox.add(
            "resource.rates_changed",
            events_pb2.ResourceRatesChanged(
                resource_id=str(resource.id), rate=proto.rate(new_rates)
            ),
        )
    await uow.outbox.add(
        "resource.updated",
        events_pb2.ResourceUpdated(
            resource=proto.resource(resource), changed_fields=sorted(changed)
        ),
    )
    if (
        before.capacity_hours_per_week != resource.capacity_hours_per_week
        or before.working_days != resource.working_days
    ):
        span = await uow.allocations.date_span(resource.id)
        if span:
            await over_allocation.reconcile(uow, [resource.id], *span)
    return resource


async def _new_rates(
    uow: CapacityUnitOfWork,
    resource: Resource,
    given: commands.ResourceFields,
    changed: set[str],
    effective: str,
) -> Rates:
    """Rates from `effective` (default today) on; fields not given keep that day's values."""
    start = rules.parse_date(effective, "effective_from", required=False) or today()
    base = await uow.resources.rates_on(resource.id, start, or_earliest=True)
    return Rates(
        billing_rate=rules.parse_rate(given.billing_rate, "billing_rate")
        if "billing_rate" in changed
        else base.billing_rate,
        cost_rate=rules.parse_rate(given.cost_rate, "cost_rate")
        if "cost_rate" in changed
        else base.cost_rate,
        currency=rules.check_currency(given.currency)
        if "currency" in changed
        else base.currency,
        effective_from=start,
    )


def rates_between(periods: list[Rates], start: date, end: date) -> list[Rates]:
    """The rate periods that overlap [start, end]."""
    return [
        p for p in periods
        if p.effective_from <= end and (p.effective_to is None or p.effective_to >= start)
    ]
