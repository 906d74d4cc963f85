"""Files: uploads streamed to object storage while hashed and measured, recorded with a version
per name; reads by byte range. The blob is published before the metadata commits and removed
again if the commit fails, so a recorded file always has its content. An upload sent again with
its Idempotency-Key (the same header and the same bytes) answers the first upload's file and
keeps no second copy; the same key with other bytes → 422."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from labs.projects.v1 import events_pb2
from labs.projects.v1 import projects_service_pb2 as pb
from labs_common.auth.principal import Principal
from labs_common.db.uow import Scope
from labs_common.errors import Conflict, InvalidArgument, NotFound
from labs_common.grpc.transactions import IdempotentCall
from labs_projects.adapters import proto
from labs_projects.adapters.object_storage import ObjectStorage
from labs_projects.domain import commands
from labs_projects.domain import files as rules
from labs_projects.domain.model import StoredFile
from labs_projects.service_layer.projects import load_project
from labs_projects.service_layer.tasks import load_task, writable_project
from labs_projects.service_layer.unit_of_work import ProjectsUnitOfWork

MAX_READ = 1024 * 1024
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class UploadLimits:
    max_file_bytes: int
    org_quota_bytes: int


@dataclass(frozen=True)
class UploadHeader:
    project_id: uuid.UUID
    task_id: uuid.UUID | None
    name: str
    mime_type: str


def _quota_error(used: int, size: int, quota: int) -> Conflict:
    return Conflict(
        "The organization's file storage is full; delete files or raise the quota.",
        reason="STORAGE_QUOTA_EXCEEDED",
        metadata={"used_bytes": str(used), "file_bytes": str(size), "quota_bytes": str(quota)},
    )


async def _check_target(uow: ProjectsUnitOfWork, principal: Principal,
                        header: UploadHeader) -> None:
    await writable_project(uow, principal, header.project_id, "file")
    if header.task_id is not None:
        try:
            task = await load_task(uow, principal, header.task_id)
        except NotFound:
            raise InvalidArgument.on("task_id", "no such task in this project") from None
        if task.project_id != header.project_id:
            raise InvalidArgument.on("task_id", "must be a task of the same project")


async def upload_file(
    uow_factory: Callable[[Scope], ProjectsUnitOfWork],
    storage: ObjectStorage,
    principal: Principal,
    header: UploadHeader,
    chunks: AsyncIterator[bytes],
    limits: UploadLimits,
    idempotency: Callable[[str], IdempotentCall | None] = lambda _digest: None,
) -> pb.UploadFileResponse:
    """The upload's answer; `idempotency` gives the call's Idempotency-Key, if any, once the
    content's SHA-256 is known (the content is part of what the key fingerprints)."""
    scope = Scope.of_caller(principal)
    name = rules.sanitize_name(header.name)
    mime = rules.content_type_for(header.mime_type, name)
    # Refuse early (before reading any content) what would be refused at the end anyway.
    async with uow_factory(scope) as uow:
        await _check_target(uow, principal, header)
        used = await uow.files.bytes_used()
        if used >= limits.org_quota_bytes:
            raise _quota_error(used, 0, limits.org_quota_bytes)
    stored = StoredFile(id=uuid.uuid4(), org_id=principal.org_id, project_id=header.project_id,
                        task_id=header.task_id, name=name, mime_type=mime, size_bytes=0,
                        version=0, sha256="", uploaded_by=principal.user_id)
    upload = await storage.open_upload(stored.storage_key)
    published = False
    try:
        digest, size, head = hashlib.sha256(), 0, b""
        async for chunk in chunks:
            size += len(chunk)
            if size > limits.max_file_bytes:
                raise InvalidArgument.on(
                    "file", f"must be at most {limits.max_file_bytes} bytes")
            if len(head) < SNIFF_BYTES:
                head += chunk[: SNIFF_BYTES - len(head)]
                if len(head) >= SNIFF_BYTES:
                    rules.check_content(mime, head)
            digest.update(chunk)
            await upload.write(chunk)
        rules.check_content(mime, head)
        stored.size_bytes, stored.sha256 = size, digest.hexdigest()
        await upload.publish()
        published = True
        call = idempotency(f"{stored.sha256} {size}")
        async with uow_factory(scope) as uow:
            if call is not None and (earlier := await call.replay(
                    uow, pb.UploadFileResponse)) is not None:
                await storage.delete(stored.storage_key)
                return earlier
            await _check_target(uow, principal, header)
            await uow.files.lock_storage()
            used = await uow.files.bytes_used()
            if used + size > limits.org_quota_bytes:
                raise _quota_error(used, size, limits.org_quota_bytes)
            stored.version = await uow.files.latest_version(header.project_id, name) + 1
            stored = await uow.files.add(stored)
            await uow.outbox.add("file.uploaded", events_pb2.FileUploaded(file=proto.file(stored)),
                                 project_id=stored.project_id)
            response = pb.UploadFileResponse(file=proto.file(stored))
            if call is not None:
                await call.record(uow, response)
            await uow.commit()
        return response
    except BaseException:
        if published:
            await storage.delete(stored.storage_key)
        else:
            await upload.abort()
        raise


async def load_file(uow: ProjectsUnitOfWork, principal: Principal,
                   file_id: uuid.UUID) -> StoredFile:
    stored = await uow.files.get(file_id)
    if stored is None:
        raise NotFound("No such file.")
    try:
        await load_project(uow, principal, stored.project_id)
    except NotFound:
        raise NotFound("No such file.") from None
    return stored


async def get_file(command: commands.GetFile, uow: ProjectsUnitOfWork) -> StoredFile:
    return await load_file(uow, uow.caller, command.id)


async def list_files(
    command: commands.ListFiles, uow: ProjectsUnitOfWork
) -> list[StoredFile]:
    principal = uow.caller
    await load_project(uow, principal, command.project_id)
    return await uow.files.page(command.project_id, command.after, command.limit,
                                task_id=command.task_id)


async def read_content(
    command: commands.ReadFileContent, uow: ProjectsUnitOfWork, *, storage: ObjectStorage
) -> tuple[StoredFile, bytes]:
    principal = uow.caller
    if command.offset < 0:
        raise InvalidArgument.on("offset", "must not be negative")
    if command.max_bytes < 0 or command.max_bytes > MAX_READ:
        raise InvalidArgument.on("max_bytes", f"must be between 1 and {MAX_READ}")
    stored = await load_file(uow, principal, command.file_id)
    if command.offset > stored.size_bytes:
        raise InvalidArgument.on("offset", "is past the end of the file")
    length = min(command.max_bytes or MAX_READ, stored.size_bytes - command.offset)
    data = await storage.read(stored.storage_key, command.offset, length) if length else b""
    return stored, data
