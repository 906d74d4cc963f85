"""6. Invoice generation: `POST /api/v1/invoices/generate` of one invoice from 5,000 billable time
entries of one project and period (issue #12), next to the plain SQL aggregate of the same rows in
the time service's database, measured in the same run.

Setup, not timed: a fresh organization; per repetition a fresh project (a client, billing rate
override 150.00) and --invoice-entries entries in one month, loaded through the platform with
one `POST /time-entries/bulk-import` (JSON `{entries}`, the owner matched by name) and then
`GET /import-jobs/{id}` polled until the job has succeeded. Hours are quarter hours (0.25 to
2.00), so the organization's rounding leaves them as they are and the invoice must bill exactly
the hours loaded.

- Baseline: on a direct asyncpg connection to the time service's database (`labs_time` on the
  suite's PostgreSQL; a superuser, so no row-level security), the aggregate the invoice is made
  of — `SELECT task_id, user_id, billable_rate, sum(rounded_hours), count(*) ... GROUP BY 1, 2, 3`
  over the project's billable, finished, uninvoiced entries of the period (the same filter as
  time's `billable_free`). It runs before the generation (which reserves the rows), several
  times on each project; every run must count all the entries.
- Labs: the generation through the gateway, `group_by: person`, no expenses. That is the saga:
  billing records the intent, time reserves every entry (one UPDATE and one outbox event per
  entry) and answers them, billing writes the draft with its items. It runs once per project
  (the entries are then reserved), so each repetition is a fresh project; the median counts.
  The answer must bill them all: the items' quantities add up to the hours loaded and they name
  5,000 distinct time entries.
- Reported: generation ms vs SQL ms (medians), and entries/s of both.

The saga's calls (GenerateInvoice, time's ReserveEntries) declare a 30 s deadline in their
protos (`option (labs.options.v1.deadline_seconds)`); every other call keeps
LABS_GRPC_CLIENT_TIMEOUT (5 s unless this process's environment says otherwise; the services
inherit it). A generation that still runs out of it answers 504, and the benchmark fails saying so.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from bench.harness import BenchResult, CpuMeter, Row, auth, cpu_note, sign_up
from labs_common.db.engine import asyncpg_dsn
from labs_common.grpc.client import declared_deadlines
from labs_local import Suite

TITLE = "Invoice generation from 5,000 time entries"
BASELINE = "plain SQL aggregate of the same entries in time's database"
PERIOD_START = date(2025, 3, 1)
PERIOD_END = date(2025, 3, 31)
IMPORT_TIMEOUT = 300.0
GENERATE_TIMEOUT = 300.0

AGGREGATE = """
SELECT task_id, user_id, billable_rate, sum(rounded_hours) AS hours, count(*) AS entries
FROM time_entries
WHERE org_id = $1 AND project_id = $2 AND date_worked BETWEEN $3 AND $4
  AND billable AND NOT is_running AND invoice_id IS NULL
GROUP BY 1, 2, 3
"""


def _entries(project: str, count: int, tag: str) -> tuple[list[dict], Decimal]:
    """`count` import rows of the owner ("Bench Owner") in the period, and their hours."""
    days = (PERIOD_END - PERIOD_START).days + 1
    rows, total = [], Decimal(0)  # quarter hours: exact as JSON numbers too
    for i in range(count):
        hours = Decimal("0.25") * (1 + i % 8)
        total += hours
        rows.append({"date": (PERIOD_START + timedelta(days=i % days)).isoformat(),
                     "project": project, "client": "Bench Client", "hours": float(hours),
                     "notes": f"bench invoice {tag} entry {i}", "first_name": "Bench",
                     "last_name": "Owner"})
    return rows, total


async def _load(http: httpx.AsyncClient, token: str, project: str, count: int, tag: str
                ) -> tuple[Decimal, float]:
    """Import `count` entries into `project`; their hours, and the seconds the import took."""
    rows, total = _entries(project, count, tag)
    started = time.perf_counter()
    accepted = await http.post("/time-entries/bulk-import", headers=auth(token),
                               json={"entries": rows})
    if accepted.status_code != 202:
        raise RuntimeError(f"bulk import answered {accepted.status_code}: "
                           f"{accepted.text[:500]}")
    job_id = accepted.json()["job_id"]
    while True:
        job = (await http.get(f"/import-jobs/{job_id}", headers=auth(token))).json()
        if job.get("status") in ("succeeded", "failed"):
            break
        if time.perf_counter() - started > IMPORT_TIMEOUT:
            raise RuntimeError(f"import job {job_id} still {job.get('status')} after "
                               f"{IMPORT_TIMEOUT:g} s")
        await asyncio.sleep(0.25)
    if job["status"] != "succeeded" or job["imported"] != count:
        raise RuntimeError(f"import job {job_id}: {job['status']}, {job['imported']} of "
                           f"{count} imported, errors {job['errors'][:3]}")
    return total, time.perf_counter() - started


async def _aggregate(connection: asyncpg.Connection, org_id: uuid.UUID,
                     project_id: uuid.UUID, count: int, hours: Decimal, repeat: int
                     ) -> tuple[list[float], list[asyncpg.Record]]:
    samples, rows = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        rows = await connection.fetch(AGGREGATE, org_id, project_id, PERIOD_START, PERIOD_END)
        samples.append(time.perf_counter() - started)
        found = (sum(r["entries"] for r in rows), sum(r["hours"] for r in rows))
        if found != (count, hours):
            raise RuntimeError(f"the SQL aggregate found {found[0]} entries / {found[1]} h, "
                               f"not {count} / {hours}")
    return samples, rows


async def _generate(http: httpx.AsyncClient, token: str, project_id: str, count: int,
                    hours: Decimal) -> tuple[float, dict]:
    started = time.perf_counter()
    response = await http.post("/invoices/generate", headers=auth(token), json={
        "project_id": project_id, "period_start": PERIOD_START.isoformat(),
        "period_end": PERIOD_END.isoformat(), "group_by": "person",
        "include_expenses": False}, timeout=GENERATE_TIMEOUT)
    elapsed = time.perf_counter() - started
    if response.status_code == 504:
        raise RuntimeError(
            f"POST /invoices/generate answered 504 after {elapsed:.1f} s: a gRPC deadline ran out "
            f"(the saga's calls declare {SAGA_DEADLINE_SECONDS} s, the others "
            f"LABS_GRPC_CLIENT_TIMEOUT={_deadline()} s)")
    if response.status_code != 201:
        raise RuntimeError(f"POST /invoices/generate answered {response.status_code} after "
                           f"{elapsed:.1f} s: {response.text[:500]}")
    invoice = response.json()
    billed = sum((Decimal(item["quantity"]) for item in invoice["items"]), Decimal(0))
    ids = [i for item in invoice["items"] for i in item["time_entry_ids"]]
    if billed != hours or len(ids) != count or len(set(ids)) != count:
        raise RuntimeError(f"the invoice bills {billed} h over {len(ids)} entries "
                           f"({len(set(ids))} distinct), not {hours} h over {count}")
    return elapsed, invoice


# What the protos declare for the saga's calls (GenerateInvoice, and time's ReserveEntries).
SAGA_DEADLINE_SECONDS = declared_deadlines("labs.billing.v1.BillingService")["GenerateInvoice"]


def _deadline() -> str:
    """The deadline of every gRPC call the suite's services make (they inherit this
    process's environment)."""
    return os.environ.get("LABS_GRPC_CLIENT_TIMEOUT", "5")


async def run(suite: Suite, projects: int = 3, entries: int = 5000,
              sql_repeat: int = 5) -> BenchResult:
    result = BenchResult("invoice_generation", TITLE, BASELINE)
    time_db = make_url(suite.database_url).set(database=f"{suite.database_prefix}time")
    connection = await asyncpg.connect(asyncpg_dsn(time_db))
    generation: list[float] = []
    sql: list[float] = []
    imports: list[float] = []
    cpu: dict[str, float] = {}
    cpu_elapsed = 0.0
    invoice: dict = {}
    groups: list[asyncpg.Record] = []
    try:
        async with httpx.AsyncClient(base_url=f"{suite.gateway_url}/api/v1", timeout=60) as http:
            owner = await sign_up(http, "Bench Invoices")
            token = owner["access_token"]
            org_id = uuid.UUID(owner["organization"]["id"])
            for n in range(1, projects + 1):
                name = f"Bench invoice {n}"
                created = await http.post("/projects", headers=auth(token), json={
                    "name": name, "client_name": "Bench Client", "status": "active",
                    "billing_rate_override": "150.00", "budget_currency": "USD"})
                created.raise_for_status()
                project_id = created.json()["id"]
                hours, seconds = await _load(http, token, name, entries, f"{n}")
                imports.append(seconds)
                samples, groups = await _aggregate(
                    connection, org_id, uuid.UUID(project_id), entries, hours,
                    sql_repeat)
                sql += samples
                meter = CpuMeter.for_suite(suite)
                meter.start()
                seconds, invoice = await _generate(http, token, project_id, entries, hours)
                for group, used in meter.stop().items():
                    cpu[group] = cpu.get(group, 0.0) + used
                cpu_elapsed += meter.elapsed
                generation.append(seconds)
    finally:
        await connection.close()

    labs_ms, sql_ms = statistics.median(generation) * 1000, statistics.median(sql) * 1000
    result.rows = [
        Row("generate, median", labs_ms, sql_ms, "ms"),
        Row("entries/s", entries / labs_ms * 1000, entries / sql_ms * 1000, "entries/s",
            better="higher"),
    ]
    result.details = {
        "grpc_client_timeout": _deadline(), "projects": projects,
        "entries_per_project": entries, "sql_repeat": sql_repeat,
        "generation_seconds": generation, "sql_seconds": sql, "import_seconds": imports,
        "sql_groups": len(groups), "invoice_items": len(invoice.get("items", [])),
        "invoice_subtotal": invoice.get("subtotal"),
        "cpu_seconds": {g: round(v, 2) for g, v in sorted(cpu.items(), key=lambda kv: -kv[1])},
    }
    result.notes.append(
        f"{projects} fresh projects x {entries:,} entries of one person in "
        f"{PERIOD_START:%Y-%m}, quarter hours, loaded by bulk import (median "
        f"{statistics.median(imports):.1f} s each, not timed); one generation per project "
        f"(group_by person, no expenses): "
        + ", ".join(f"{s * 1000:,.0f}" for s in generation)
        + f" ms; gRPC deadlines: {SAGA_DEADLINE_SECONDS} s for the saga's calls (their protos), "
          f"LABS_GRPC_CLIENT_TIMEOUT={_deadline()} s for the others")
    result.notes.append(
        f"SQL aggregate (GROUP BY task, person, rate: {len(groups)} group(s)) {sql_repeat} "
        f"times per project before its generation: min {min(sql) * 1000:.2f}, "
        f"max {max(sql) * 1000:.2f} ms")
    result.notes.append(
        "every generation billed all the hours loaded over as many distinct entries (last "
        f"invoice: {len(invoice['items'])} item(s), subtotal {invoice['subtotal']})")
    result.notes.append(cpu_note("the generations", result.details["cpu_seconds"], cpu_elapsed))
    return result
