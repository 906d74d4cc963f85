"""`python -m labs_local.drill` (`make drill`): start the suite, load it, break it, prove it.

Exit status 0 when every fault's row passes, 1 otherwise. At most --budget seconds in all (20
minutes by default): faults that would not fit are skipped, and a skipped row fails too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from labs_common.config import SERVICES
from labs_local import ports
from labs_local.drill import faults
from labs_local.drill.checks import Checker, Findings
from labs_local.drill.load import Load
from labs_local.health import grpc_health, http_health
from labs_local.suite import Suite

# After a fault's recovery, 5xx are still the fault's for this long (in-flight requests).
GRACE_SECONDS = 3.0
RECOVERY_TIMEOUT = 120.0
# Killed during the NATS outage, so it starts without NATS.
STARTED_IN_OUTAGE = "capacity"
# Reads that must answer 200 for the suite to count as recovered (not only its health checks).
PROBES = ("/auth/me", "/projects?limit=1", "/time-entries?limit=1", "/invoices?limit=1",
          "/activity?limit=1")

console = Console(highlight=False)
if not console.is_terminal:
    console = Console(highlight=False, width=220)


@dataclass
class Row:
    fault: str
    down_s: float = 0.0
    acked: int = 0
    findings: Findings | None = None
    fivexx_outside: int = 0
    dead_lettered: int | None = None
    fivexx_during: int = 0
    recovery_s: float | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: bool = False

    def said(self) -> list[str]:
        return [*self.problems, *self.notes, *(self.findings.notes if self.findings else [])]

    @property
    def passed(self) -> bool:
        f = self.findings
        return (not self.skipped and f is not None and self.recovery_s is not None
                and not (f.lost or f.doubled or f.double_billed or f.unpublished
                         or f.missing_activity or self.fivexx_outside or self.problems
                         or (self.dead_lettered and not self.parks)))

    @property
    def parks(self) -> bool:
        """Faults whose events belong in the dead-letter stream: poison, and the notice the
        relay parks for an event too large to publish."""
        return self.fault.startswith(("poison", "oversized"))


class Drill:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.started = time.monotonic()
        self.rows: list[Row] = []
        self.data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="labs-drill-"))
        self.log_path = self.data_dir / "drill.log"

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def say(self, message: str) -> None:
        console.print(f"[dim]{self.elapsed():6.0f} s[/] {message}")

    # The run --------------------------------------------------------------------------------

    async def run(self) -> int:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("w", encoding="utf-8")  # closed below
        port_base, gateway_port = ports.free_port_base(), ports.free_port()
        self.suite = Suite(
            data_dir=self.data_dir, port_base=port_base, gateway_port=gateway_port,
            gateway_host="127.0.0.1", console=Console(file=log, width=200, color_system=None),
        )
        self.say(f"starting the suite (gateway 127.0.0.1:{gateway_port}, ports {port_base}+, "
                 f"data {self.data_dir}, logs {self.log_path})")
        try:
            await self.suite.start()
            self.say("suite healthy; starting the load")
            self.api = f"{self.suite.gateway_url}/api/v1"
            self.checker = Checker(self.suite.database_url)
            self.checker.since = await self.checker.now()
            self.load = Load(self.api, clients=self.args.clients)
            await self.load.start()
            await self._faults()
            self.say("stopping the load; final check")
            stuck = await self.load.stop()
            await self._row("final (load stopped)", self._nothing)
            if stuck:
                self.rows[-1].problems.append("never acknowledged: " + "; ".join(stuck))
        finally:
            self.say("stopping the suite")
            with contextlib.suppress(Exception):
                await self.suite.stop()
            log.close()
        self._report()
        if not self.args.keep and not self.args.data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        return 0 if all(r.passed for r in self.rows) else 1

    async def _faults(self) -> None:
        outage, pause = self.args.outage, self.args.pause
        plan: list[tuple[str, Callable[[], Awaitable[float]], float]] = [
            ("baseline (no fault)", self._nothing, 15),
        ]
        for name in SERVICES:
            plan.append((f"kill -9 {name}", self._kill(name), 30))
        plan += [
            ("kill -9 gateway", self._kill("gateway"), 30),
            ("kill -9 NATS", self._nats_kill9, 30),
            ("kill -9 PostgreSQL", self._postgres_kill9, 45),
            (f"SIGSTOP time {pause:g} s", self._sigstop("time", pause), pause + 30),
            ("poison events", self._poison, 30),
            ("oversized event", self._oversized, 40),
            (f"NATS down {outage:g} s", self._nats_down(outage), outage + 45),
            (f"PostgreSQL down {outage:g} s", self._postgres_down(outage), outage + 60),
        ]
        if self.args.only:
            wanted = [w.lower() for w in self.args.only]
            plan = [p for p in plan if any(w in p[0].lower() for w in wanted)]
        for name, inject, estimate in plan:
            # Keep room for the final check and the stop (about a minute and a half).
            if self.elapsed() + estimate + 90 > self.args.budget:
                self.rows.append(Row(name, skipped=True, problems=["skipped: over budget"]))
                self.say(f"[yellow]{name}: skipped, it would not fit the budget[/]")
                continue
            await self._row(name, inject)

    async def _row(self, name: str, inject: Callable[[], Awaitable[float]]) -> None:
        row = Row(name)
        self.rows.append(row)
        self.say(f"[bold]{name}[/]")
        crashes_before = faults.crashes(self.suite)
        dead_before = await self._dead_letters()
        start = time.time()
        restored_at = start
        try:
            restored_at = await inject()
            row.down_s = restored_at - start
            row.recovery_s = await self._recovered(restored_at)
            if row.recovery_s is None:
                row.problems.append(f"not healthy {RECOVERY_TIMEOUT:g} s after the fault")
        except Exception as error:  # a fault that could not be injected fails its row
            row.problems.append(f"{type(error).__name__}: {error}")
        healthy_at = time.time()
        # A little more load after recovery, so a fault that broke something silently shows.
        await asyncio.sleep(self.args.settle)
        row.findings = await self.checker.check(self.load.record)
        end = time.time()
        window_end = (restored_at + (row.recovery_s or 0) + GRACE_SECONDS
                      if row.recovery_s is not None else healthy_at)
        for at, status, _what in list(self.load.record.statuses):
            if start <= at < end and status >= 500:
                if name.startswith(("baseline", "final", "poison", "oversized")) \
                        or at >= window_end:
                    row.fivexx_outside += 1
                else:
                    row.fivexx_during += 1
        row.acked = self.load.record.acks_between(start, end)
        dead_after = await self._dead_letters()
        if dead_before is not None and dead_after is not None:
            row.dead_lettered = dead_after - dead_before
            if row.parks:
                if row.dead_lettered:
                    row.notes.append(f"parked as dead letters: {row.dead_lettered}")
                else:
                    row.problems.append("nothing parked in the dead-letter stream")
        if retrying := self.load.retrying():
            row.findings.notes.append("still retrying: " + "; ".join(retrying))
        restarts = {n: c - crashes_before.get(n, 0) for n, c in faults.crashes(self.suite).items()}
        expected = name.removeprefix("kill -9 ")
        unexpected = {n: c for n, c in restarts.items() if c and n != expected}
        if unexpected and not name.startswith(("kill -9 PostgreSQL", "PostgreSQL down",
                                               "kill -9 NATS", "NATS down")):
            row.problems.append("restarted: " + ", ".join(f"{n} x{c}" for n, c in
                                                          unexpected.items()))
        elif unexpected:
            row.findings.notes.append("restarted: " + ", ".join(f"{n} x{c}" for n, c in
                                                                unexpected.items()))
        self.say(self._line(row))

    # Faults: each injects, restores, and answers when what it broke was back ------------------

    async def _nothing(self) -> float:
        await asyncio.sleep(10)
        return time.time()

    def _kill(self, name: str):
        async def inject() -> float:
            faults.kill_child(self.suite, name)
            return time.time()  # the supervisor restarts it: that is part of its recovery
        return inject

    def _sigstop(self, name: str, seconds: float):
        async def inject() -> float:
            faults.kill_child(self.suite, name, signal.SIGSTOP)
            try:
                await asyncio.sleep(seconds)
            finally:
                faults.kill_child(self.suite, name, signal.SIGCONT)
            return time.time()
        return inject

    async def _nats_kill9(self) -> float:
        faults.nats_kill9(self.suite)
        await faults.nats_start(self.suite)
        return time.time()

    def _nats_down(self, seconds: float):
        async def inject() -> float:
            await asyncio.to_thread(faults.nats_stop, self.suite)
            # A service that starts while NATS is away must serve once it is back.
            await asyncio.sleep(min(10.0, seconds / 4))
            faults.kill_child(self.suite, STARTED_IN_OUTAGE)
            self.rows[-1].notes.append(f"{STARTED_IN_OUTAGE} killed and restarted during it")
            await asyncio.sleep(seconds - min(10.0, seconds / 4))
            await faults.nats_start(self.suite)
            return time.time()
        return inject

    async def _postgres_kill9(self) -> float:
        await asyncio.to_thread(faults.postgres_kill9, self.suite)
        await asyncio.to_thread(faults.postgres_start, self.suite)
        return time.time()

    def _postgres_down(self, seconds: float):
        async def inject() -> float:
            await asyncio.to_thread(faults.postgres_stop, self.suite)
            await asyncio.sleep(seconds)
            await asyncio.to_thread(faults.postgres_start, self.suite)
            return time.time()
        return inject

    async def _poison(self) -> float:
        await faults.publish_poison(self.suite.nats_url)
        await asyncio.sleep(10)
        return time.time()

    async def _oversized(self) -> float:
        owner = self.load.owner
        problems = []
        for _ in range(2):
            try:
                answer = await owner.call("PATCH", "/organizations/current", accept=tuple(
                    range(400, 500)), json={"settings": {"drill_blob": "x" * 900_000}})
            except Exception as error:
                problems.append(f"oversized PATCH: {type(error).__name__} {error}")
                break
            if answer is not None:
                problems.append("0.9 MB settings accepted (2xx), not refused with a 4xx")
        event_id = await faults.insert_oversized_outbox_row(self.checker, self.load.org_id)
        self.checker.exempt.add(event_id)
        await asyncio.sleep(5)
        # An identity event after the oversized one: it must still be published.
        with contextlib.suppress(Exception):
            await owner.call("PATCH", "/organizations/current",
                             json={"settings": {"drill_after_oversized": True}})
        await asyncio.sleep(5)
        async with self.checker.db("identity") as db:
            published = await db.fetchval("SELECT published_at::text FROM outbox WHERE id = $1",
                                          uuid.UUID(event_id))
        self.rows[-1].notes.append(f"oversized outbox row: published_at {published}")
        self.rows[-1].problems += problems
        return time.time()

    async def _dead_letters(self) -> int | None:
        """Messages in the dead-letter stream (None when NATS does not answer)."""
        import nats

        from labs_common.events.streams import DEAD_LETTER_STREAM

        try:
            connection = await nats.connect(self.suite.nats_url, connect_timeout=3,
                                            max_reconnect_attempts=1, allow_reconnect=False)
        except Exception:
            return None
        try:
            info = await connection.jetstream().stream_info(DEAD_LETTER_STREAM)
            return info.state.messages
        except Exception:
            return None
        finally:
            with contextlib.suppress(Exception):
                await connection.close()

    async def _recovered(self, since: float) -> float | None:
        """Seconds from `since` until every service's health, the gateway's and the probe reads
        answer OK; None past RECOVERY_TIMEOUT."""
        deadline = time.monotonic() + RECOVERY_TIMEOUT
        token = self.load.owner
        async with httpx.AsyncClient(base_url=self.api, timeout=3, trust_env=False) as http:
            while time.monotonic() < deadline:
                if await self._healthy(http, token):
                    return max(time.time() - since, 0.0)
                await asyncio.sleep(0.25)
        return None

    async def _healthy(self, http: httpx.AsyncClient, owner) -> bool:
        checks = [grpc_health(self.suite.address_of(s)) for s in SERVICES]
        checks.append(http_health(f"{self.api}/health"))
        if any(r is not None for r in await asyncio.gather(*checks)):
            return False
        for path in PROBES:
            try:
                response = await http.get(path, headers={"Authorization": f"Bearer {owner.token}"})
            except httpx.HTTPError:
                return False
            if response.status_code == 401:
                with contextlib.suppress(Exception):
                    await owner.login()
                return False
            if response.status_code != 200:
                return False
        return True

    # Output -----------------------------------------------------------------------------------

    COLUMNS = ("fault", "down s", "writes acked", "lost", "doubled", "double-billed",
               "unpublished", "not in feed", "dead-lettered", "5xx during", "5xx outside fault",
               "recovery s", "result")

    def _cells(self, row: Row) -> list[str]:
        f = row.findings
        def n(value):
            return "-" if f is None else str(value)
        return [
            row.fault, f"{row.down_s:.0f}", str(row.acked), n(f and f.lost),
            n(f and f.doubled), n(f and f.double_billed), n(f and f.unpublished),
            n(f and f.missing_activity),
            "-" if row.dead_lettered is None else str(row.dead_lettered),
            str(row.fivexx_during), str(row.fivexx_outside),
            "-" if row.recovery_s is None else f"{row.recovery_s:.1f}",
            "skipped" if row.skipped else ("pass" if row.passed else "FAIL"),
        ]

    def _line(self, row: Row) -> str:
        cells = dict(zip(self.COLUMNS, self._cells(row), strict=True))
        notes = row.said()
        colour = "green" if row.passed else "red"
        return (f"[{colour}]{cells['result']}[/] {row.fault}: acked {cells['writes acked']}, "
                f"lost {cells['lost']}, doubled {cells['doubled']}, double-billed "
                f"{cells['double-billed']}, unpublished {cells['unpublished']}, not in feed "
                f"{cells['not in feed']}, dead-lettered {cells['dead-lettered']}, "
                f"5xx during {cells['5xx during']} / outside "
                f"{cells['5xx outside fault']}, recovery {cells['recovery s']} s"
                + (f" — {'; '.join(notes)}" if notes else ""))

    def _report(self) -> None:
        table = Table(title=f"Labs drill — {self.elapsed():.0f} s in all")
        for column in self.COLUMNS:
            table.add_column(column, justify="left" if column == "fault" else "right")
        for row in self.rows:
            cells = self._cells(row)
            style = None if row.passed else "red"
            table.add_row(*cells, style=style)
        console.print(table)
        record = self.load.record if hasattr(self, "load") else None
        lines = ["| " + " | ".join(self.COLUMNS) + " |",
                 "|" + "---|" * len(self.COLUMNS)]
        lines += ["| " + " | ".join(self._cells(r)) + " |" for r in self.rows]
        notes = []
        for r in self.rows:
            if said := r.said():
                notes.append(f"- {r.fault}: {'; '.join(said)}")
        markdown = "\n".join(lines + (["", *notes] if notes else []))
        out = Path(self.args.markdown)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(markdown + "\n", encoding="utf-8")
        console.print(f"table as Markdown: {out}")
        if record is not None:
            kinds, rejected = {}, {}
            for what, status, body in record.rejected:
                reason = body.split('"reason":"')[1].split('"')[0] if '"reason":"' in body else ""
                label = f"{what} {status} {reason}".strip()
                rejected[label] = rejected.get(label, 0) + 1
            for ack in record.acks:
                kinds[ack.kind] = kinds.get(ack.kind, 0) + 1
            console.print(f"writes acked {len(record.acks)} {kinds}, given up "
                          f"{len(record.gave_up)}, "
                          f"rejected {len(record.rejected)} {rejected}, "
                          f"connection errors {len(record.errors)}")
        console.print(f"elapsed {self.elapsed():.0f} s; "
                      + ("[green]every row passed[/]" if all(r.passed for r in self.rows)
                         else "[red]some rows failed[/]"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labs_local.drill", description=__doc__)
    parser.add_argument("--outage", type=float, default=120,
                        help="seconds NATS and PostgreSQL stay down (default 120)")
    parser.add_argument("--pause", type=float, default=20,
                        help="seconds a service stays SIGSTOPped (default 20)")
    parser.add_argument("--budget", type=float, default=20 * 60,
                        help="seconds for the whole run (default 1200)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent writers (default 4)")
    parser.add_argument("--settle", type=float, default=5,
                        help="seconds of load after each recovery before checking (default 5)")
    parser.add_argument("--only", type=lambda v: [x for x in v.split(",") if x], default=None,
                        help="only the faults whose names contain one of these words")
    parser.add_argument("--data-dir", default="", help="default: a fresh temporary directory")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    parser.add_argument("--markdown", default=".data/drill/table.md",
                        help="where to write the table as Markdown")
    args = parser.parse_args(argv)
    return asyncio.run(Drill(args).run())


if __name__ == "__main__":
    sys.exit(main())
