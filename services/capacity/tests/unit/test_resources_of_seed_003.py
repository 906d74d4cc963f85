"""Seed 003's resource (name, email, seniority, billing rate, weekly hours) is enough: no cost
rate (its hours count as uncosted until one is set) and the org's currency; every wrong field of
a resource is named at once. A fake unit of work."""

from __future__ import annotations

from decimal import Decimal

import pytest

from labs_capacity.domain import commands
from labs_capacity.service_layer import resources
from labs_common.errors import InvalidArgument

SEED = commands.ResourceFields(name="Dana Contractor", email="dana@contractors.test",
                               seniority_level="contractor", billing_rate="150.5",
                               capacity_hours_per_week="20")


async def test_a_resource_without_cost_rate_or_currency_takes_the_orgs_currency(manager_uow):
    created = await resources.create_resource(commands.CreateResource(SEED), manager_uow,
                                              org_currency="EUR")
    assert created.rates.cost_rate is None and created.rates.currency == "EUR"
    assert created.rates.billing_rate == Decimal("150.5")
    assert created.capacity_hours_per_week == Decimal("20")
    assert manager_uow.outbox.types() == ["resource.created"]


async def test_a_currency_given_wins_over_the_orgs(manager_uow):
    given = commands.ResourceFields(**{**SEED.__dict__, "currency": "GBP", "cost_rate": "70"})
    created = await resources.create_resource(commands.CreateResource(given), manager_uow,
                                              org_currency="EUR")
    assert (created.rates.cost_rate, created.rates.currency) == (Decimal("70"), "GBP")


async def test_every_wrong_field_of_a_resource_is_named_at_once(manager_uow):
    given = commands.ResourceFields(name="", seniority_level="lead", billing_rate="-1",
                                    cost_rate="abc", currency="euro",
                                    capacity_hours_per_week="200", working_days=(8,))
    with pytest.raises(InvalidArgument) as problems:
        await resources.create_resource(commands.CreateResource(given), manager_uow)
    assert {e.field for e in problems.value.field_errors} == {
        "name", "seniority_level", "billing_rate", "cost_rate", "currency",
        "capacity_hours_per_week", "working_days"}
    assert manager_uow.outbox.events == []
