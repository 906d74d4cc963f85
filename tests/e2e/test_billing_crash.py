"""The crash drill, on the whole platform with real processes: the billing process is killed
(SIGKILL) between reserving time entries for an invoice and completing its draft, and the
platform heals. Its restarted replica gives the dead generation up once its lease runs out, time
frees the entries, and generating again bills each entry exactly once.

How: the suite supervises billing as a child process and restarts it when it dies; the test
changes the environment the supervisor starts it with (a pause after the reservation, a short
lease, no sweeping of its own), restarts it with that, kills it for real while a generate request
is paused in it, and lets the supervisor start it again with its usual environment (sweeping
every second, so the drill does not wait out the default 30 s).

Run it alone with `-k billing`."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from dataclasses import replace
from decimal import Decimal

import httpx
import pytest
from e2e_helpers import auth, sign_up

from labs_local.health import grpc_health

pytestmark = pytest.mark.e2e

WEEK = {"period_start": "2026-03-02", "period_end": "2026-03-08"}
PAUSE_SECONDS = 60  # far longer than the drill: the process dies inside it
LEASE_SECONDS = 3
_USUAL_SPEC: dict = {}  # the suite's own billing spec, kept before the drill changes it


async def until(probe, what: str, timeout: float = 45.0):
    deadline = time.monotonic() + timeout
    while True:
        if found := await probe():
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not before the deadline: {what}")
        await asyncio.sleep(0.2)


async def restart_billing(suite, env_changes: dict[str, str], signum: int) -> int:
    """Billing's next start gets `env_changes` on top of its usual environment; the running one
    gets `signum` (the supervisor starts it again). Answers the pid it killed, once the new
    process serves."""
    child = suite.supervisor.children["billing"]
    usual = _USUAL_SPEC.setdefault(id(suite), child.spec)
    child.spec = replace(usual, env={**usual.env, **env_changes})
    old = child.pid
    assert old is not None and child.running
    os.kill(old, signum)

    async def serving():
        return (child.running and child.pid != old
                and await grpc_health(suite.address_of("billing")) is None)

    await until(serving, "billing restarted and serving", timeout=90)
    return old


async def entry(http, headers, entry_id: str) -> dict:
    found = await http.get(f"/time-entries/{entry_id}", headers=headers)
    assert found.status_code == 200, found.text
    return found.json()


async def test_billing_a_generation_killed_between_reserve_and_complete_heals(http, suite):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    created = await http.post("/projects", headers=headers, json={
        "name": f"Site {uuid.uuid4().hex[:6]}", "status": "active",
        "client_name": f"Client {uuid.uuid4().hex[:6]}", "billing_rate_override": "100.00",
        "budget_currency": "EUR"})
    assert created.status_code == 201, created.text
    project = created.json()
    logged = []
    for hours, day in ((2, "2026-03-02"), (1.5, "2026-03-03"), (3.25, "2026-03-05")):
        made = await http.post(f"/projects/{project['id']}/time-entries", headers=headers,
                               json={"hours": hours, "date_worked": day})
        assert made.status_code == 201, made.text
        logged.append(made.json())
    hours_logged = sum(Decimal(str(e["rounded_hours"])) for e in logged)
    ids = {e["id"] for e in logged}

    # A billing process that stops after reserving and never recovers anything itself.
    try:
        await restart_billing(suite, {
            "LABS_FAULT_PAUSE_AFTER_RESERVE_SECONDS": str(PAUSE_SECONDS),
            "LABS_GENERATION_LEASE_SECONDS": str(LEASE_SECONDS),
            "LABS_SWEEP_SECONDS": "3600",
        }, signal.SIGTERM)

        async def answering():  # the gateway reaches the new process (its channel reconnected)
            return (await http.get("/invoices", headers=headers)).status_code == 200

        await until(answering, "billing answering through the gateway")

        async with httpx.AsyncClient(base_url=f"{suite.gateway_url}/api/v1",
                                     timeout=PAUSE_SECONDS + 30) as slow:
            # One attempt only: the request must die with its process, not be retried.
            paused = asyncio.create_task(slow.post("/invoices/generate", headers=headers,
                                                   json={"project_id": project["id"], **WEEK}))

            async def reserved():
                if paused.done():
                    raise AssertionError(f"generate answered before the kill: "
                                         f"{paused.result().status_code} {paused.result().text}")
                holders = {(await entry(http, headers, i))["invoice_id"] for i in ids}
                return holders if None not in holders else None

            holders = await until(reserved, "the entries reserved by the paused generation")
            assert len(holders) == 1
            [dead_generation] = holders

            # Killed for real, mid-saga; the supervisor starts it again as usual (sweeping often).
            child = suite.supervisor.children["billing"]
            killed = await restart_billing(suite, {"LABS_SWEEP_SECONDS": "1"}, signal.SIGKILL)
            assert child.crashes[-1].code == -signal.SIGKILL, child.crashes[-1]
            with pytest.raises(ProcessLookupError):
                os.kill(killed, 0)
            answer = await paused  # the request died with its process
            assert answer.status_code >= 500, answer.text
    finally:  # a drill that failed half-way must not leave the paused process to later tests
        billing = suite.supervisor.children["billing"]
        if "LABS_FAULT_PAUSE_AFTER_RESERVE_SECONDS" in billing.spec.env:
            await restart_billing(suite, {"LABS_SWEEP_SECONDS": "1"}, signal.SIGTERM)

    # Recovery: the lease ran out, the restarted replica gave the generation up, time freed all.
    async def freed():
        listed = await http.get(f"/projects/{project['id']}/time-entries", headers=headers)
        assert listed.status_code == 200, listed.text
        holders = {e["id"]: e["invoice_id"] for e in listed.json()["time_entries"]}
        assert set(holders) == ids
        return all(holder is None for holder in holders.values())

    await until(freed, "the dead generation's entries freed again")
    gone = await http.get(f"/invoices/{dead_generation}", headers=headers)
    assert gone.status_code == 404, gone.text

    fresh = await http.post("/invoices/generate", headers=headers,
                            json={"project_id": project["id"], **WEEK, "group_by": "none"})
    assert fresh.status_code == 201, fresh.text
    invoice = fresh.json()
    assert invoice["id"] != dead_generation and invoice["status"] == "draft"
    time_items = [i for i in invoice["items"] if i["kind"] == "time"]
    assert sum(Decimal(str(i["quantity"])) for i in time_items) == hours_logged
    billed = [entry_id for i in time_items for entry_id in i["time_entry_ids"]]
    assert sorted(billed) == sorted(ids)  # each entry once
    for entry_id in ids:
        assert (await entry(http, headers, entry_id))["invoice_id"] == invoice["id"]

    # No entry on two invoices: every invoice of the project, together, names each entry once.
    listed = await http.get("/invoices", headers=headers, params={"project_id": project["id"]})
    assert listed.status_code == 200, listed.text
    everywhere = [entry_id for shown in listed.json()["invoices"]
                  for item in shown["items"] for entry_id in item.get("time_entry_ids", [])]
    assert sorted(everywhere) == sorted(ids)
    assert (await http.post("/invoices/generate", headers=headers,
                            json={"project_id": project["id"], **WEEK})).status_code == 422
