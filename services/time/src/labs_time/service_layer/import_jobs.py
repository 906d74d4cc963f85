"""CSV import jobs as the caller sees them: create a job, store its upload in chunks (never the
whole file in memory), queue it for the worker (service_layer/import_run.py), and read it."""

from __future__ import annotations

import uuid

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import Conflict, InvalidArgument, NotFound
from labs_time.adapters.orm import import_chunks, import_jobs
from labs_time.domain import commands
from labs_time.service_layer.unit_of_work import TimeUnitOfWork

MAX_CHUNK_BYTES = 1024 * 1024


async def create_job(command: commands.CreateImport, uow: TimeUnitOfWork) -> uuid.UUID:
    """A job waiting for its file. It keeps the caller's token so the worker asks identity,
    projects and capacity as that caller; the token is dropped when the job ends."""
    principal = uow.caller
    principal.require(Role.MANAGER)
    job_id = uuid.uuid4()
    await uow.session.execute(insert(import_jobs).values(
        id=job_id, org_id=principal.org_id, user_id=principal.user_id, status="uploading",
        create_missing=command.create_missing, token=principal.token))
    return job_id


async def _found(uow: TimeUnitOfWork, query):
    row = (await uow.session.execute(query)).first()
    if row is None:
        raise NotFound("No such import job.", reason="IMPORT_JOB_NOT_FOUND")
    return row


def _in_org(principal: Principal, job_id: uuid.UUID):
    return select(import_jobs).where(import_jobs.c.org_id == principal.org_id,
                                     import_jobs.c.id == job_id)


async def _own_job(uow: TimeUnitOfWork, principal: Principal, job_id: uuid.UUID):
    """The caller's own job, locked: only who created a job uploads to it and starts it."""
    principal.require(Role.MANAGER)
    return await _found(uow, _in_org(principal, job_id).where(
        import_jobs.c.user_id == principal.user_id).with_for_update())


async def append_chunk(command: commands.AppendImportChunk, uow: TimeUnitOfWork) -> None:
    principal, job_id, seq, chunk = uow.caller, command.job_id, command.seq, command.chunk
    if seq < 1:
        raise InvalidArgument.on("seq", "must be 1 or more")
    if len(chunk) > MAX_CHUNK_BYTES:
        raise InvalidArgument.on("chunk", "must be at most 1 MiB")
    job = await _own_job(uow, principal, job_id)
    if job.status != "uploading":
        raise Conflict("This import job has already started.", reason="IMPORT_STARTED")
    stored = (await uow.session.execute(pg_insert(import_chunks).values(
        job_id=job_id, seq=seq, org_id=principal.org_id, data=chunk)
        .on_conflict_do_nothing().returning(import_chunks.c.seq))).first()
    if stored is not None:
        # Lines so far; a repeated chunk (a retried call) is not counted twice.
        await uow.session.execute(update(import_jobs).where(import_jobs.c.id == job_id)
                                  .values(total=import_jobs.c.total + chunk.count(b"\n")))


async def start_job(command: commands.StartImport, uow: TimeUnitOfWork):
    """Queue the uploaded file; `total` is a first estimate from its line count. Starting a
    started job answers it as it is (a retried request)."""
    principal, job_id = uow.caller, command.id
    job = await _own_job(uow, principal, job_id)
    if job.status != "uploading":
        return job
    last = (await uow.session.execute(select(import_chunks.c.data).where(
        import_chunks.c.job_id == job_id).order_by(import_chunks.c.seq.desc()).limit(1)
    )).scalar()
    if not last:
        raise InvalidArgument.on("file", "is empty")
    lines = job.total + (0 if last.endswith(b"\n") else 1)
    # The header is not a row; a quoted field spanning lines makes this an estimate.
    return (await uow.session.execute(update(import_jobs).where(import_jobs.c.id == job_id)
                                      .values(status="queued", total=max(lines - 1, 0))
                                      .returning(*import_jobs.c))).one()


async def get_job(command: commands.GetImportJob, uow: TimeUnitOfWork):
    uow.caller.require(Role.MEMBER)
    return await _found(uow, _in_org(uow.caller, command.id))
