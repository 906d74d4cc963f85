"""Harvest's client against the fake Harvest on this machine (no PostgreSQL, no NATS): every page
read by following links.next at 2,000 rows a page; a 429 waited out for its Retry-After; never
more requests in a window than the pace allows; a refused token named as the field to fix. And
the pure parts of the sync: entries as the time service takes them, windows by month."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import date

import pytest

from labs_common.errors import InvalidArgument
from labs_common.testing.fake_harvest import FakeHarvest
from labs_integrations.adapters.harvest_api import HarvestApi, Pacer
from labs_integrations.adapters.harvest_labs import external_entry
from labs_integrations.config import Settings
from labs_integrations.service_layer.harvest_sync import months


@pytest.fixture(scope="module")
def harvest():
    with FakeHarvest() as fake:
        yield fake


def account_of(fake: FakeHarvest, entries: int = 0):
    account = fake.add_account(str(uuid.uuid4().int % 10**7), "Acme", token=uuid.uuid4().hex)
    user = fake.add_user(account, "Ana", "Lima", "ana@acme.test")
    project = fake.add_project(account, "Site", client="Acme")
    for n in range(entries):
        fake.add_entry(account, user, project, f"2026-0{1 + n % 9}-1{n % 10}", 1.5)
    token = next(t for t, found in fake.tokens.items() if account.id in found.account_ids)
    return account, {"access_token": token, "account_id": account.id}


def api_for(fake: FakeHarvest, **settings) -> HarvestApi:
    return HarvestApi(Settings(harvest_api_url=fake.url, **settings))


async def test_every_page_is_read_by_following_links_next(harvest):
    account, secret = account_of(harvest, entries=2500)
    pages = [page async for page in api_for(harvest).pages(secret, "/v2/time_entries",
                                                           "time_entries")]
    assert [len(page) for page in pages] == [2000, 500]
    assert len({row["id"] for page in pages for row in page}) == 2500
    asked = [c for c in harvest.calls("/v2/time_entries")
             if c.headers.get("harvest-account-id") == account.id]
    assert asked[0].params["per_page"] == "2000" and asked[1].params["page"] == "2"
    assert all(c.headers["user-agent"].startswith("Labs") for c in asked)


async def test_a_429_is_waited_out_for_its_retry_after(harvest):
    _account, secret = account_of(harvest)
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)
        await asyncio.sleep(seconds)

    api = HarvestApi(Settings(harvest_api_url=harvest.url), sleep=sleep)
    harvest.limit, harvest.window = 2, 1.0
    try:
        answers = [await api.me(secret) for _ in range(4)]
    finally:
        harvest.limit, harvest.window = 100, 15.0
    assert len(answers) == 4
    assert waited and all(seconds >= 1 for seconds in waited)  # Retry-After, in whole seconds


async def test_requests_keep_to_the_pace_of_an_account():
    pacer = Pacer(3, 0.3)
    started = time.monotonic()
    for _ in range(7):  # 3 at once, 3 more a window later, the 7th a window after that
        await pacer.wait()
    assert time.monotonic() - started >= 0.6


async def test_a_refused_token_names_the_field_to_fix(harvest):
    _account, secret = account_of(harvest)
    with pytest.raises(InvalidArgument) as refused:
        await api_for(harvest).me({**secret, "access_token": "not-harvests"})
    assert [error.field for error in refused.value.field_errors] == ["access_token"]
    other, _ = account_of(harvest)
    with pytest.raises(InvalidArgument):  # a real token, but another account's id
        await api_for(harvest).me({**secret, "account_id": other.id})


def test_an_entry_keeps_harvests_hours_rounding_rates_and_approval():
    row = {"id": 123, "spent_date": "2026-03-02", "hours": 2.33, "rounded_hours": 2.5,
           "notes": "Design review", "billable": True, "billable_rate": 150.0, "cost_rate": 60,
           "approval_status": "approved", "user": {"id": 7, "name": "Ana Maria Lima"},
           "client": {"id": 1, "name": "Acme", "currency": "EUR"}}
    project = uuid.uuid4()
    entry = external_entry(row, {"email": "ana@acme.test", "first_name": "Ana",
                                 "last_name": "Lima"}, project)
    assert (entry.external_id, entry.project_id, entry.email) == ("123", str(project),
                                                                  "ana@acme.test")
    assert (entry.hours, entry.rounded_hours, entry.billable_rate, entry.cost_rate,
            entry.currency) == ("2.33", "2.50", "150.00", "60.00", "EUR")
    assert entry.approved and entry.billable and entry.date_worked == "2026-03-02"

    bare = external_entry({**row, "billable_rate": None, "cost_rate": None,
                           "rounded_hours": None, "approval_status": "submitted"}, None, project)
    # No rates of Harvest's: Labs' own rule, in the org's currency; named by Harvest's user name.
    assert (bare.billable_rate, bare.cost_rate, bare.currency, bare.rounded_hours) == \
        ("", "", "", "")
    assert (bare.first_name, bare.last_name, bare.approved) == ("Ana", "Maria Lima", False)


def test_a_reconcile_window_is_cut_into_calendar_months():
    assert months(date(2025, 12, 15), date(2026, 2, 3)) == [
        (date(2025, 12, 15), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 3))]
    assert months(date(2026, 2, 3), date(2026, 2, 3)) == [(date(2026, 2, 3), date(2026, 2, 3))]
