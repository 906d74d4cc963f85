"""What the drill proves after each fault, by SQL on the suite's PostgreSQL (as its superuser, so
row-level security does not hide any organization's rows)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from labs_common.config import SERVICES
from labs_local.drill.load import Record

# Rows younger than this are in flight, not stuck.
SETTLE_SECONDS = 5.0


@dataclass
class Findings:
    lost: int = 0
    doubled: int = 0
    double_billed: int = 0
    unpublished: int = 0
    missing_activity: int = 0
    notes: list[str] = field(default_factory=list)


def dsn_for(database_url: str, database: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(scheme="postgresql", path=f"/{database}"))


class Checker:
    def __init__(self, database_url: str, prefix: str = "labs_") -> None:
        self.database_url = database_url
        self.prefix = prefix
        self.since = None  # set at the first check: only the drill's own rows are judged
        # Outbox rows the drill wrote itself and expects never to publish (an oversized event).
        self.exempt: set[str] = set()

    @contextlib.asynccontextmanager
    async def db(self, service: str):
        connection = await asyncpg.connect(dsn_for(self.database_url, self.prefix + service),
                                           timeout=10)
        try:
            yield connection
        finally:
            await connection.close()

    async def check(self, record: Record, wait: float = 60.0) -> Findings:
        findings = Findings()
        await self._lost_and_doubled(record, findings)
        await self._double_billed(findings)
        # Publication and the feed lag behind by design: wait (bounded) for them to catch up.
        deadline = time.monotonic() + wait
        while True:
            findings.unpublished, findings.missing_activity, stuck = await self._published()
            if (findings.unpublished == 0 and findings.missing_activity == 0) \
                    or time.monotonic() > deadline:
                break
            await asyncio.sleep(2)
        if stuck:
            findings.notes.append("stuck: " + ", ".join(stuck))
        return findings

    async def _lost_and_doubled(self, record: Record, findings: Findings) -> None:
        acks = list(record.acks)
        projects = [a for a in acks if a.kind == "project"]
        entries = [a for a in acks if a.kind == "time_entry"]
        invoices = [a for a in acks if a.kind == "invoice"]
        async with self.db("projects") as db:
            rows = await db.fetch(
                "SELECT name, array_agg(id::text) AS ids FROM projects "
                "WHERE name = ANY($1::text[]) GROUP BY name", [a.key for a in projects])
            found = {r["name"]: r["ids"] for r in rows}
        for ack in projects:
            ids = found.get(ack.key, [])
            findings.lost += ack.id not in ids
            findings.doubled += max(len(ids) - 1, 0)
        async with self.db("time") as db:
            rows = await db.fetch(
                "SELECT notes, array_agg(id::text) AS ids FROM time_entries "
                "WHERE notes = ANY($1::text[]) GROUP BY notes", [a.key for a in entries])
            found = {r["notes"]: r["ids"] for r in rows}
        for ack in entries:
            ids = found.get(ack.key, [])
            findings.lost += ack.id not in ids
            findings.doubled += max(len(ids) - 1, 0)
        if invoices:
            async with self.db("billing") as db:
                rows = await db.fetch("SELECT id::text FROM invoices WHERE id = ANY($1::uuid[])",
                                      [a.id for a in invoices])
            present = {r["id"] for r in rows}
            findings.lost += sum(1 for a in invoices if a.id not in present)
        # One acknowledged answer per key: the same key answered with two ids is a double too.
        by_key: dict[str, set[str]] = {}
        for ack in acks:
            by_key.setdefault(f"{ack.kind}:{ack.key}", set()).add(ack.id)
        findings.doubled += sum(len(ids) - 1 for ids in by_key.values())

    async def _double_billed(self, findings: Findings) -> None:
        async with self.db("billing") as db:
            findings.double_billed = await db.fetchval(
                "SELECT count(*) FROM (SELECT e FROM invoice_items i "
                "JOIN invoices v ON v.id = i.invoice_id, unnest(i.time_entry_ids) AS e "
                "WHERE v.status <> 'void' GROUP BY e "
                "HAVING count(DISTINCT i.invoice_id) > 1) d")

    async def _published(self) -> tuple[int, int, list[str]]:
        """Outbox rows older than SETTLE_SECONDS still unpublished, and published org events of
        the drill's time missing from the activity feed."""
        unpublished = 0
        stuck: list[str] = []
        event_ids: list[str] = []
        for service in SERVICES:
            async with self.db(service) as db:
                rows = await db.fetch(
                    "SELECT id::text, published_at IS NOT NULL AS published, org_id IS NOT NULL "
                    "AS tenant FROM outbox WHERE created_at < now() - make_interval(secs => $1) "
                    "AND created_at >= $2",
                    SETTLE_SECONDS, self.since)
            waiting = [r["id"] for r in rows if not r["published"] and r["id"] not in self.exempt]
            if waiting:
                stuck.append(f"{service} {len(waiting)}")
            unpublished += len(waiting)
            event_ids += [r["id"] for r in rows
                          if r["published"] and r["tenant"] and r["id"] not in self.exempt]
        async with self.db("projects") as db:
            rows = await db.fetch("SELECT id::text FROM activities WHERE id = ANY($1::uuid[])",
                                  event_ids)
        missing = len(set(event_ids) - {r["id"] for r in rows})
        if missing:
            stuck.append(f"feed {missing}")
        return unpublished, missing, stuck

    async def now(self):
        async with self.db("projects") as db:
            return await db.fetchval("SELECT now()")
