"""CSV import RPCs: create a job, upload its file in chunks, start it, watch its progress."""

from __future__ import annotations

from labs.time.v1 import time_service_pb2 as pb
from labs_common.parsing import uuid_of
from labs_time.adapters import proto
from labs_time.entrypoints.rpcs.base import ServicerBase
from labs_time.service_layer import import_jobs


class ImportRpcs(ServicerBase):
    async def CreateImport(self, request, context) -> pb.CreateImportResponse:
        async def work(uow, principal):
            job_id = await import_jobs.create_job(uow, principal, request.create_missing)
            return pb.CreateImportResponse(job_id=str(job_id))

        return await self._tenant(context, request, pb.CreateImportResponse, work)

    async def AppendImportChunk(self, request, context) -> pb.AppendImportChunkResponse:
        job_id = uuid_of(request.job_id, "job_id")

        async def work(uow, principal):
            await import_jobs.append_chunk(uow, principal, job_id, request.seq, request.chunk)
            return pb.AppendImportChunkResponse()

        return await self._tenant(context, request, pb.AppendImportChunkResponse, work)

    async def StartImport(self, request, context) -> pb.StartImportResponse:
        job_id = uuid_of(request.job_id, "job_id")

        async def work(uow, principal):
            row = await import_jobs.start_job(uow, principal, job_id)
            return pb.StartImportResponse(job=proto.import_job(row))

        response = await self._tenant(context, request, pb.StartImportResponse, work)
        # Only after the commit, so the worker finds the job queued.
        self._worker.wake(job_id)
        return response

    async def GetImportJob(self, request, context) -> pb.GetImportJobResponse:
        job_id = uuid_of(request.id, "id")

        async def work(uow, principal):
            return pb.GetImportJobResponse(
                job=proto.import_job(await import_jobs.get_job(uow, principal, job_id)))

        return await self._tenant(context, request, pb.GetImportJobResponse, work)
