"""The running of one claimed import job: the worker streams the stored file through parsing and
validation, and each batch is COPY'd into staging and inserted with its events in one
transaction, so `processed` and `imported` move as it runs. Bad rows are reported with row,
column and reason, every problem of a row at once; good rows are imported; rows imported before
(this file or another) add nothing."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import JSONB

from labs.time.v1 import events_pb2
from labs_common.db.uow import Scope
from labs_common.errors import LabsError
from labs_time.adapters import import_staging
from labs_time.adapters.import_staging import StagedEntry
from labs_time.adapters.orm import import_chunks, import_jobs
from labs_time.domain.csv_formats import ParsedRow, RowError, RowParser, detect
from labs_time.domain.model import APPROVED, DRAFT
from labs_time.service_layer.import_claims import Claim, lease_until
from labs_time.service_layer.import_rows import (
    References,
    RowMapper,
    csv_blocks,
    date_text,
    source_of,
)
from labs_time.service_layer.unit_of_work import UowFactory

MAX_STORED_ERRORS = 1000
EVENT_BATCH = 1000
YIELD_EVERY = 64
UNKNOWN_HEADER = ("the header is not one we read: expected Harvest's import (Date, Client, "
                  "Project, Task, Notes, Hours, First name, Last name), Harvest's detailed "
                  "export, or Kimai's export (Date, From, To, Duration, ..., Project, Activity)")


@dataclass
class Progress:
    """This attempt's reading of the file. What was imported is counted by the job's row, which
    a restarted job keeps adding to: rows its first attempt committed count once, then."""

    seen: int = 0
    error_count: int = 0  # rows with errors
    errors: list[dict] = field(default_factory=list)
    rows_stored: int = 0  # rows whose errors are in `errors`


@dataclass(eq=False)
class ImportRun:
    """One attempt at one job. `references` builds the org's view from the claim."""

    uow: UowFactory
    claim: Claim
    references: References
    batch_rows: int
    lease_seconds: int
    writers: int = 2
    source: str = field(default="import", init=False)  # the entries' source, known from the header

    def _scope(self) -> Scope:
        return Scope(org_id=self.claim.org_id, actor_id=self.claim.user_id)

    async def chunks(self) -> AsyncIterator[bytes]:
        """The stored file, one chunk per short transaction."""
        seq = 1
        while True:
            async with self.uow(self._scope()) as uow:
                data = (await uow.session.execute(select(import_chunks.c.data).where(
                    import_chunks.c.job_id == self.claim.job_id, import_chunks.c.seq == seq
                ))).scalar()
            if data is None:
                return
            yield data
            seq += 1

    async def run(self) -> None:
        blocks = csv_blocks(self.chunks())
        header_row = None
        async for first in blocks:
            if (header_row := next(first, None)) is not None:
                break
        header = detect(header_row) if header_row else None
        if header is None:
            await self.fail([{"row": 0, "field": "file", "message": UNKNOWN_HEADER}])
            return
        await self._set(format=header.format)
        mapper = RowMapper(self.references)
        self.source = source_of(header.format)
        parser = RowParser(header, self.references.source_zone)
        # errors: a list of RowErrors per bad row
        progress, batch, errors = Progress(), [], []
        # Batches are written while the next ones are parsed, `writers` at a time: PostgreSQL
        # works on them (one core each) while this process keeps its own core busy parsing.
        writing: deque[asyncio.Task] = deque()
        try:
            async for block in _chain(first, blocks):
                for row in block:
                    if not "".join(row).strip():
                        continue  # blank lines are not rows
                    progress.seen += 1
                    if progress.seen % YIELD_EVERY == 0:
                        await asyncio.sleep(0)  # let the batches being written move on
                    parsed = parser.parse(row, progress.seen)
                    outcome = (await mapper.record(parsed) if isinstance(parsed, ParsedRow)
                               else await mapper.explain(parsed))
                    if isinstance(outcome, list):
                        errors.append(outcome)
                    else:
                        batch.append(outcome)
                    if len(batch) + len(errors) >= self.batch_rows:
                        if len(writing) >= self.writers:
                            await writing.popleft()
                        writing.append(asyncio.create_task(
                            self.flush(progress, progress.seen, batch, errors)))
                        batch, errors = [], []
            while writing:
                await writing.popleft()
            await self.flush(progress, progress.seen, batch, errors)
        finally:
            for task in writing:  # the job failed while batches were being written
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        await self.finish(progress)

    async def flush(self, progress: Progress, seen: int, batch: list[StagedEntry],
                    errors: list[list[RowError]]) -> None:
        """One batch: its new entries, their events and the job's progress commit together.
        Batches may commit out of order, so progress only ever adds up or moves forward.
        `errors` holds each bad row's errors; a row's are stored all or none."""
        progress.error_count += len(errors)
        stored = []
        for row_errors in errors:
            if len(progress.errors) + len(stored) + len(row_errors) > MAX_STORED_ERRORS:
                break
            stored += [{"row": e.row, "field": e.field, "message": e.message}
                       for e in row_errors]
            progress.rows_stored += 1
        progress.errors += stored
        async with self.uow(self._scope()) as uow:
            inserted = await import_staging.import_batch(
                uow.session, self.claim.org_id, self.claim.job_id, self.source, batch)
            if len(inserted) < len(batch):  # some rows were imported before
                batch = [batch[i] for i in inserted]
            await uow.outbox.add_many("entry.imported", imported_events(
                str(self.claim.job_id), self.source, batch))
            jobs = import_jobs.c
            await uow.session.execute(update(import_jobs).where(jobs.id == self.claim.job_id)
                                      .values(processed=func.greatest(jobs.processed, seen),
                                              total=func.greatest(jobs.total, seen),
                                              imported=jobs.imported + len(batch),
                                              error_count=jobs.error_count + len(errors),
                                              errors=jobs.errors.op("||")(
                                                  bindparam("stored", stored, type_=JSONB)),
                                              lease_until=lease_until(self.lease_seconds)))
            await uow.commit()

    async def finish(self, progress: Progress) -> None:
        errors = sorted(progress.errors, key=lambda error: error["row"])  # stable in a row
        if progress.error_count > progress.rows_stored:
            errors.append({"row": 0, "field": "file", "message":
                           f"{progress.error_count - progress.rows_stored} more rows had errors"})
        await self._end("succeeded", total=progress.seen, processed=progress.seen,
                        error_count=progress.error_count, errors=errors)

    async def fail(self, errors: list[dict]) -> None:
        await self._end("failed", errors=errors, error_count=len(errors))

    async def _end(self, status: str, **values) -> None:
        """End the job either way: drop its upload and the caller's token, and announce it."""
        job = self.claim.job_id
        async with self.uow(self._scope()) as uow:
            await uow.session.execute(import_chunks.delete().where(import_chunks.c.job_id == job))
            ended = (await uow.session.execute(
                update(import_jobs).where(import_jobs.c.id == job)
                .values(status=status, token=None, finished_at=func.now(), lease_until=None,
                        **values)
                .returning(import_jobs.c.total, import_jobs.c.imported,
                           import_jobs.c.error_count))).one()
            await uow.outbox.add("import.completed", events_pb2.ImportCompleted(
                job_id=str(job), status=status, total=ended.total, imported=ended.imported,
                failed=ended.error_count))
            await uow.commit()

    async def _set(self, **values) -> None:
        async with self.uow(self._scope()) as uow:
            await uow.session.execute(update(import_jobs).where(
                import_jobs.c.id == self.claim.job_id).values(**values))
            await uow.commit()


async def _chain(head: Iterator, rest: AsyncIterator[Iterator]) -> AsyncIterator[Iterator]:
    yield head
    async for block in rest:
        yield block


@functools.lru_cache(maxsize=4096)
def _decimal_text(hundredths: int | None) -> str:
    return "" if hundredths is None else f"{hundredths // 100}.{hundredths % 100:02d}"


def imported_events(job_id: str, source: str,
                    entries: list[StagedEntry]) -> list[events_pb2.EntriesImported]:
    """The events of imported `entries`, as columns (a list per field beats a message per entry
    several times over, for whoever writes or reads them)."""
    events = []
    for start in range(0, len(entries), EVENT_BATCH):
        (ids, _fingerprints, projects, users, resources, days, hours, rounded, _started,
         _ended, billable, billable_rates, cost_rates, currencies, rate_sources, _notes,
         approved, _external_ids) = zip(*entries[start:start + EVENT_BATCH], strict=True)
        events.append(events_pb2.EntriesImported(
            job_id=job_id, source=source, entry_ids=ids, project_ids=projects,
            user_ids=users if None not in users else [user or "" for user in users],
            resource_ids=(resources if None not in resources
                          else [resource or "" for resource in resources]),
            statuses=([APPROVED if yes else DRAFT for yes in approved] if True in approved
                      else [DRAFT] * len(approved)),
            dates_worked=map(date_text, days), hours=map(_decimal_text, hours),
            rounded_hours=map(_decimal_text, rounded), billable=billable,
            billable_rates=map(_decimal_text, billable_rates),
            cost_rates=map(_decimal_text, cost_rates),
            currencies=[currency or "" for currency in currencies], rate_sources=rate_sources))
    return events


def failure_message(error: Exception) -> str:
    if isinstance(error, LabsError):
        return f"the import could not read the organization's data: {error.detail}"
    return ("the import stopped unexpectedly; the rows it had imported stay, and importing the "
            "file again adds only the rest")
