"""The background worker of import jobs in each time replica: woken by new uploads, and sweeping
now and then for jobs whose worker died. One job at a time per replica keeps the two cores of a
small machine for requests."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import structlog

from labs_common.background import BackgroundTask
from labs_time.adapters.directory import Directory
from labs_time.adapters.import_references import DirectoryReferences
from labs_time.config import Settings
from labs_time.service_layer import import_claims
from labs_time.service_layer.import_run import ImportRun, failure_message
from labs_time.service_layer.unit_of_work import UowFactory

log = structlog.get_logger(__name__)


class ImportWorker(BackgroundTask):
    name = "import-worker"

    def __init__(self, uow: UowFactory, directory: Directory, settings: Settings) -> None:
        self._uow = uow
        self._directory = directory
        self._settings = settings
        self._wake: asyncio.Queue[uuid.UUID | None] = asyncio.Queue()

    def wake(self, job_id: uuid.UUID) -> None:
        self._wake.put_nowait(job_id)

    async def _loop(self) -> None:
        await self._sweep()
        while True:
            try:
                job_id = await asyncio.wait_for(self._wake.get(),
                                                self._settings.import_sweep_seconds)
            except TimeoutError:
                await self._sweep()
            else:
                await self._process(job_id)

    async def _sweep(self) -> None:
        try:
            for job_id in await import_claims.claimable(self._uow):
                await self._process(job_id)
        except Exception:
            log.exception("import.sweep_failed")

    async def _process(self, job_id: uuid.UUID | None) -> None:
        if job_id is None:
            return
        try:
            claim = await import_claims.claim(self._uow, job_id,
                                              self._settings.import_lease_seconds)
        except Exception:
            log.exception("import.claim_failed", job_id=str(job_id))
            return
        if claim is None:
            return
        references = DirectoryReferences(self._directory, claim.token, claim.create_missing)
        run = ImportRun(self._uow, claim, references, self._settings.import_batch_rows,
                        self._settings.import_lease_seconds, self._settings.import_writers)
        log.info("import.started", job_id=str(job_id), org_id=str(claim.org_id))
        try:
            await references.load()
            await run.run()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.exception("import.failed", job_id=str(job_id))
            with contextlib.suppress(Exception):
                await run.fail([{"row": 0, "field": "file",
                                 "message": failure_message(error)}])
            return
        log.info("import.finished", job_id=str(job_id))
