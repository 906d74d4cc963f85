"""Forecasting's read model rebuilt from nothing (`python -m labs_forecasting rebuild --api-key
lbk_...`, services/forecasting/README.md): data created through the gateway builds margins from
events; the org's rows are then deleted from forecasting's database behind its back; the rebuild,
over the owners' list RPCs with an admin's API key, brings back the very same margins.

Margins are read from forecasting's gRPC API, so this holds whatever the gateway's margin routes
do. Run it alone with `-k rebuild`."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import grpc
import pytest
from e2e_helpers import auth, sign_up
from sqlalchemy.engine import make_url

from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs.forecasting.v1 import forecasting_service_pb2_grpc as pb_grpc
from labs_forecasting.config import Settings
from labs_forecasting.rebuild import rebuild

pytestmark = pytest.mark.e2e

TABLES = ("entries", "expenses", "project_totals", "allocations", "invoices", "resource_rates",
          "resources", "projects")
COMPARED = ("currency", "budget", "revenue", "labor_cost", "expense_cost", "cost",
            "margin_dollar", "margin_percent", "hours_logged", "billable_hours", "uncosted_hours",
            "budget_used_percent", "hours_remaining", "days_remaining")


def day(offset: int) -> str:
    return (datetime.now(UTC) + timedelta(days=offset)).date().isoformat()


async def created(http, path: str, headers, body: dict) -> dict:
    response = await http.post(path, headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def figures(margin: pb.Margin) -> dict:
    return {name: getattr(margin, name) for name in COMPARED}


async def margins(stub, token: str, project_ids: list[str]) -> dict[str, dict]:
    answer = await stub.ListProjectMargins(pb.ListProjectMarginsRequest(project_ids=project_ids),
                                           metadata=(("authorization", f"Bearer {token}"),))
    return {m.project_id: figures(m) for m in answer.margins}


async def until_margins(stub, token, expected_hours: dict[str, str], timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        found = await margins(stub, token, list(expected_hours))
        if {p: m["hours_logged"] for p, m in found.items()} == expected_hours:
            return found
        assert time.monotonic() < deadline, f"margins still {found}"
        await asyncio.sleep(0.1)


def forecasting_settings(suite) -> Settings:
    return Settings(database_url=suite.database_url,
                    database_name=f"{suite.database_prefix}forecasting",
                    port_base=suite.port_base, env="test")


async def wipe(suite, org_id: str) -> None:
    url = make_url(suite.database_url).set(database=f"{suite.database_prefix}forecasting")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False).replace(
        "postgresql+asyncpg://", "postgresql://"))
    try:
        for table in TABLES:
            await connection.execute(f"DELETE FROM {table} WHERE org_id = $1", uuid.UUID(org_id))
        await connection.execute("DELETE FROM organizations WHERE id = $1", uuid.UUID(org_id))
    finally:
        await connection.close()


async def test_the_read_model_is_rebuilt_from_the_owners_apis(http, suite):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    org_id = owner["organization"]["id"]
    await created(http, "/resources", headers, {
        "name": "Olive Owner", "user_id": owner["user"]["id"], "seniority_level": "senior",
        "billing_rate": "150.00", "cost_rate": "60.00", "currency": "USD"})
    hourly = await created(http, "/projects", headers, {
        "name": "Hourly", "client_name": "Acme", "status": "active",
        "budget_type": "time_and_materials", "budget_total": "10000.00",
        "budget_currency": "USD", "budget_hours": 100, "start_date": day(-14),
        "end_date": day(30)})
    fixed = await created(http, "/projects", headers, {
        "name": "Fixed", "client_name": "Acme", "status": "active", "budget_type": "fixed_fee",
        "budget_total": "4000.00", "budget_currency": "USD"})
    for hours in (2.5, 1.25):
        await created(http, f"/projects/{hourly['id']}/time-entries", headers,
                      {"hours": hours, "date_worked": day(-1), "billable": True})
    gone = await created(http, f"/projects/{hourly['id']}/time-entries", headers,
                         {"hours": 4, "date_worked": day(-2), "billable": True})
    deleted = await http.delete(f"/time-entries/{gone['id']}", headers=headers)
    assert deleted.status_code == 204, deleted.text
    await created(http, f"/projects/{fixed['id']}/time-entries", headers,
                  {"hours": 6, "date_worked": day(-1), "billable": True})
    await created(http, f"/projects/{hourly['id']}/expenses", headers, {
        "description": "Fonts", "amount": "80.00", "expense_date": day(-1),
        "category": "software", "billable": True})
    key = await created(http, "/api-keys", headers, {"name": "rebuild", "role": "admin"})

    async with grpc.aio.insecure_channel(suite.address_of("forecasting")) as channel:
        stub = pb_grpc.ForecastingServiceStub(channel)
        token = owner["access_token"]
        hours = {hourly["id"]: "3.75", fixed["id"]: "6.00"}
        # The expense travels on its own durable: wait for it too.
        deadline = time.monotonic() + 30
        while (before := await until_margins(stub, token, hours))[hourly["id"]][
                "expense_cost"] != "80.00":
            assert time.monotonic() < deadline, before
            await asyncio.sleep(0.1)

        await wipe(suite, org_id)
        assert await margins(stub, token, list(hours)) == {}

        counts = await rebuild(forecasting_settings(suite), key["secret"], say=lambda _: None)
        assert (counts.projects, counts.entries, counts.expenses) == (2, 3, 1)
        after = await margins(stub, token, list(hours))
        assert after == before
        assert after[hourly["id"]]["revenue"] == "642.50"  # 3.75 h at 150 + 80
        assert after[fixed["id"]]["revenue"] == "4000.00"
