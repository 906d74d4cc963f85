"""CSV import of time: POST /time-entries/bulk-import (multipart `file`, or JSON `{entries}`)
answers 202 with a job id at once; GET /import-jobs/{id} shows progress and per-row errors.

The file goes to the time service in 1 MiB chunks read from the upload's spool, so neither the
gateway nor the service ever holds it whole."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, UploadFile, status
from pydantic import ValidationError
from starlette.datastructures import FormData

from labs.time.v1 import time_service_pb2 as pb
from labs_common.auth.roles import Role
from labs_common.errors import FieldError, InvalidArgument
from labs_gateway import nul_characters
from labs_gateway.dependencies import IdempotentWrite, role_at_least
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.time_common import Time
from labs_gateway.schemas.proto_json import decimal_text, to_public
from labs_gateway.schemas.time import ImportAccepted, ImportEntries, ImportEntry, ImportJobPublic
from labs_gateway.upstream import bind_caller, current_caller

router = APIRouter(route_class=ExactJsonRoute, tags=["time"], responses=PROBLEM_RESPONSES)
CHUNK_BYTES = 1024 * 1024
HARVEST_COLUMNS = ["Date", "Client", "Project", "Task", "Notes", "Hours", "First name",
                   "Last name", "Email"]
def inline_definitions(schema: dict) -> dict:
    """A model's JSON Schema with its `$defs` written where they are referred to: OpenAPI
    resolves `#/$defs/...` against the document's root, where they are not."""
    definitions = schema.pop("$defs", {})

    def resolve(node):
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return resolve(schema)


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}}}},
            "application/json": {"schema": inline_definitions(ImportEntries.model_json_schema())},
        },
    }
}


async def _spooled_file(request: Request) -> tuple[FormData, UploadFile, str]:
    """The form, its `file` (spooled by the multipart parser) and the file's SHA-256, read in
    chunks from the spool: an Idempotency-Key fingerprints the file with the request."""
    form = await request.form(max_files=1, max_fields=10)
    try:
        nul_characters.refuse(nul_characters.form_fields(form))
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidArgument.on("file", "attach the CSV as the multipart field `file`")
        digest, nul = hashlib.sha256(), False
        while chunk := await upload.read(CHUNK_BYTES):
            digest.update(chunk)
            # The CSV is UTF-8 text: a NUL byte is U+0000, which no row could be stored with.
            nul = nul or b"\x00" in chunk
        if nul:
            nul_characters.refuse(["file"])
    except InvalidArgument:
        await form.close()
        raise
    await upload.seek(0)
    return form, upload, digest.hexdigest()


async def _file_chunks(form: FormData, upload: UploadFile) -> AsyncIterator[bytes]:
    try:
        while chunk := await upload.read(CHUNK_BYTES):
            yield chunk
    finally:
        await form.close()


def _entry_rows(entries: Iterable[ImportEntry]) -> Iterable[list[str]]:
    yield HARVEST_COLUMNS
    for e in entries:
        yield [e.date, e.client, e.project, e.task, e.notes, decimal_text(e.hours), e.first_name,
               e.last_name, e.email]


async def _json_chunks(entries: list[ImportEntry]) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in _entry_rows(entries):
        writer.writerow(row)
        if buffer.tell() >= CHUNK_BYTES // 2:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def _json_body(raw: bytes) -> ImportEntries:
    # JSON can only carry U+0000 escaped: parse twice only a body that has the escape.
    if b"\\u0000" in raw:
        try:
            nul_characters.refuse(nul_characters.json_fields(json.loads(raw)))
        except ValueError:
            pass  # not JSON: validation below names the body
    try:
        return ImportEntries.model_validate_json(raw)
    except ValidationError as error:
        raise InvalidArgument("The import is not valid.", field_errors=[
            FieldError(".".join(str(p) for p in e["loc"]) or "body", e["msg"])
            for e in error.errors()]) from error


@router.post("/time-entries/bulk-import", status_code=status.HTTP_202_ACCEPTED,
             response_model=ImportAccepted, openapi_extra=UPLOAD_BODY,
             # Up to 256 MiB: only a manager's is read at all.
             dependencies=[IdempotentWrite, role_at_least(Role.MANAGER)])
async def bulk_import(request: Request, time: Time, create_missing: Annotated[bool, Query(
                          description="Create projects the file names but the org lacks.")]
                      = False):
    """Import a CSV (Harvest's import or detailed export, Kimai's export; detected by header)
    or JSON entries as a background job. Manager+."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form, upload, digest = await _spooled_file(request)
        chunks = _file_chunks(form, upload)
    elif content_type.startswith("application/json"):
        raw = await request.body()
        body = _json_body(raw)
        create_missing = create_missing or body.create_missing
        chunks, digest = _json_chunks(body.entries), hashlib.sha256(raw).hexdigest()
    else:
        raise InvalidArgument.on("file", "send multipart/form-data with `file`, or JSON entries")
    # The Idempotency-Key belongs to creating the job, fingerprinted with the file's digest: a
    # retry of the same file gets the same job back (its chunks are idempotent by number and
    # its start answers the job as it already is), another file with the key → 422.
    bind_caller(replace(current_caller(), content_digest=digest))
    job_id = (await time.CreateImport(pb.CreateImportRequest(create_missing=create_missing))).job_id
    bind_caller(replace(current_caller(), idempotency_key=None, content_digest=None))
    job = (await time.GetImportJob(pb.GetImportJobRequest(id=job_id))).job
    if job.status != "uploading":
        return ImportAccepted(job_id=job_id)  # a replay of a request that went through
    seq = 0
    async for chunk in chunks:
        seq += 1
        await time.AppendImportChunk(pb.AppendImportChunkRequest(
            job_id=job_id, seq=seq, chunk=chunk))
    await time.StartImport(pb.StartImportRequest(job_id=job_id))
    return ImportAccepted(job_id=job_id)


@router.get("/import-jobs/{id}", response_model=ImportJobPublic)
async def get_import_job(job_id: Annotated[uuid.UUID, Path(alias="id")], time: Time):
    """An import's progress: `processed` moves while it runs; `errors` name row, field, why."""
    job = (await time.GetImportJob(pb.GetImportJobRequest(id=str(job_id)))).job
    return to_public(ImportJobPublic, job)
