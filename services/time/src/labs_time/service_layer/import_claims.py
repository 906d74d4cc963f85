"""Which import jobs a worker may take, and taking one under a lease. A job whose worker dies
(its lease runs out) is taken again from its first row; fingerprints make that harmless."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, text, update

from labs_common.db.uow import Scope
from labs_time.adapters.orm import import_jobs
from labs_time.service_layer.unit_of_work import UowFactory


@dataclass
class Claim:
    job_id: uuid.UUID
    org_id: uuid.UUID
    user_id: uuid.UUID
    token: str
    create_missing: bool


def lease_until(lease_seconds: int):
    return func.now() + text(f"interval '{int(lease_seconds)} seconds'")


def _claimable():
    """Queued, or running under a lease its worker stopped renewing."""
    return ((import_jobs.c.status == "queued")
            | ((import_jobs.c.status == "running") & (import_jobs.c.lease_until < func.now())))


async def claim(uow_factory: UowFactory, job_id: uuid.UUID, lease_seconds: int) -> Claim | None:
    """Take a queued job, or a running one whose worker stopped renewing its lease; a taken job
    starts over from its first row (fingerprints keep the result the same)."""
    async with uow_factory(Scope.of_system()) as uow:
        row = (await uow.session.execute(
            update(import_jobs).where(import_jobs.c.id == job_id, _claimable())
            .values(status="running", lease_until=lease_until(lease_seconds), processed=0,
                    error_count=0, errors=[])
            .returning(import_jobs.c.org_id, import_jobs.c.user_id, import_jobs.c.token,
                       import_jobs.c.create_missing))).first()
        if row is None:
            return None
        await uow.commit()
    return Claim(job_id, row.org_id, row.user_id, row.token or "", row.create_missing)


async def claimable(uow_factory: UowFactory) -> list[uuid.UUID]:
    async with uow_factory(Scope.of_system()) as uow:
        return list((await uow.session.execute(select(import_jobs.c.id).where(_claimable())
                                               .order_by(import_jobs.c.created_at))).scalars())
