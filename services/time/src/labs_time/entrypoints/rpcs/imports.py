"""CSV import RPCs: create a job, upload its file in chunks, start it, watch its progress."""

from __future__ import annotations

from labs.time.v1 import time_service_pb2 as pb
from labs_common.parsing import uuid_of
from labs_time.adapters import proto
from labs_time.domain import commands
from labs_time.entrypoints.rpcs.base import ServicerBase
from labs_time.service_layer import import_jobs


class ImportRpcs(ServicerBase):
    async def CreateImport(self, request, context) -> pb.CreateImportResponse:
        """A job waiting for its file (managers)."""
        command = commands.CreateImport(request.create_missing)
        return await self._handle(
            context, request, import_jobs.create_job, command,
            lambda job_id: pb.CreateImportResponse(job_id=str(job_id)),
        )

    async def AppendImportChunk(self, request, context) -> pb.AppendImportChunkResponse:
        """One chunk of the file, by sequence number (a repeated chunk is kept once)."""
        command = commands.AppendImportChunk(uuid_of(request.job_id, "job_id"), request.seq,
                                             request.chunk)
        return await self._handle(context, request, import_jobs.append_chunk, command)

    async def StartImport(self, request, context) -> pb.StartImportResponse:
        """Queues the uploaded file for the worker."""
        command = commands.StartImport(uuid_of(request.job_id, "job_id"))
        response = await self._handle(
            context, request, import_jobs.start_job, command,
            job=proto.import_job,
        )
        # Only after the commit, so the worker finds the job queued.
        self._worker.wake(command.id)
        return response

    async def GetImportJob(self, request, context) -> pb.GetImportJobResponse:
        """A job's progress and errors."""
        return await self._get_one(context, request, import_jobs.get_job, commands.GetImportJob,
                                   job=proto.import_job)
