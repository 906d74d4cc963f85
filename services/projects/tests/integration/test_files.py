"""Files: streamed uploads with sha256 and versions, safe names, checked content, the org quota,
and reads by byte range; a refused upload leaves nothing behind. Every test runs against both
storage backends: the local directory and an S3-compatible bucket."""

from __future__ import annotations

import asyncio
import hashlib
import os

import grpc
import pytest
from projects_helpers import bearer, create_project, new_org, rpc_error

from labs.projects.v1 import projects_service_pb2 as pb
from labs.projects.v1 import projects_service_pb2_grpc as pb_grpc

pytestmark = pytest.mark.integration

PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(20_000)
CHUNK = 4096


@pytest.fixture(params=["local", "s3"])
def files_service(request, projects_service):
    """The projects service storing in a directory, or the one storing in an S3 bucket."""
    if request.param == "local":
        return projects_service
    return request.getfixturevalue("s3_projects_service")


@pytest.fixture
async def projects(files_service):
    async with grpc.aio.insecure_channel(files_service.address) as channel:
        yield pb_grpc.ProjectsServiceStub(channel)


async def upload(projects, session, project_id, name, content, mime="image/png", task_id=""):
    async def messages():
        yield pb.UploadFileRequest(header=pb.FileHeader(
            project_id=project_id, task_id=task_id, name=name, mime_type=mime))
        for start in range(0, len(content), CHUNK):
            yield pb.UploadFileRequest(chunk=content[start:start + CHUNK])

    return (await projects.UploadFile(messages(), metadata=bearer(session.access_token))).file


async def download(projects, session, file_id) -> bytes:
    content, offset = b"", 0
    while True:
        part = await projects.ReadFileContent(
            pb.ReadFileContentRequest(id=file_id, offset=offset, max_bytes=7000),
            metadata=bearer(session.access_token))
        if not part.data:
            return content
        content += part.data
        offset += len(part.data)


@pytest.fixture
def stored_blobs(request, files_service):
    """What the service's backend holds for an org (unfinished S3 multipart uploads included)."""
    settings = files_service.runtime.settings

    async def listed(org_id: str) -> list[str]:
        if settings.s3_bucket:
            bucket = request.getfixturevalue("s3_bucket")
            return await asyncio.to_thread(bucket.leftovers, f"{org_id}/")
        directory = settings.object_storage_dir / org_id
        return sorted(p.name for p in directory.iterdir()) if directory.exists() else []

    return listed


async def test_an_upload_is_hashed_versioned_by_name_and_reads_back(projects, identity_stub):
    owner = await new_org(identity_stub)
    project = await create_project(projects, owner)
    first = await upload(projects, owner, project.id, "logo.png", PNG)
    assert (first.size_bytes, first.version, first.mime_type) == (len(PNG), 1, "image/png")
    assert first.sha256 == hashlib.sha256(PNG).hexdigest()
    second = await upload(projects, owner, project.id, "LOGO.png", PNG[:5000])
    assert second.version == 2 and second.id != first.id
    assert await download(projects, owner, first.id) == PNG
    assert await download(projects, owner, second.id) == PNG[:5000]
    listed = await projects.ListFiles(pb.ListFilesRequest(project_id=project.id),
                                      metadata=bearer(owner.access_token))
    assert [f.version for f in listed.files] == [2, 1]


async def test_names_are_sanitized_and_types_guessed_from_generic_ones(projects, identity_stub):
    owner = await new_org(identity_stub)
    project = await create_project(projects, owner)
    stored = await upload(projects, owner, project.id, "../../etc/\x00notes;rm -rf.txt",
                          b"plain words", mime="application/octet-stream")
    assert stored.name == "notes_rm -rf.txt"
    assert stored.mime_type == "text/plain"


async def test_content_that_is_not_what_it_claims_is_refused_and_leaves_nothing(
    stored_blobs, projects, identity_stub
):
    owner = await new_org(identity_stub)
    project = await create_project(projects, owner)
    for name, content, mime in (
        ("fake.png", b"<html>not an image</html>", "image/png"),
        ("tool.pdf", b"MZ\x90\x00binary", "application/pdf"),
        ("page.html", b"<script>alert(1)</script>", "text/html"),
        ("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * 70_000, "image/png"),
    ):
        error = await rpc_error(upload(projects, owner, project.id, name, content, mime))
        assert error.http_status == 422 and error.field_errors[0].field == "file", name
    listed = await projects.ListFiles(pb.ListFilesRequest(project_id=project.id),
                                      metadata=bearer(owner.access_token))
    assert list(listed.files) == []
    assert await stored_blobs(owner.organization.id) == []


async def test_the_org_quota_counts_every_version(stored_blobs, projects, identity_stub):
    owner = await new_org(identity_stub)
    project = await create_project(projects, owner)
    content = b"\x89PNG\r\n\x1a\n" + b"1" * 60_000
    for _ in range(2):
        await upload(projects, owner, project.id, "mock.png", content)
    error = await rpc_error(upload(projects, owner, project.id, "mock.png", content))
    assert error.http_status == 409 and error.reason == "STORAGE_QUOTA_EXCEEDED"
    assert len(await stored_blobs(owner.organization.id)) == 2


async def test_another_orgs_files_and_foreign_tasks_are_out_of_reach(projects, identity_stub):
    owner = await new_org(identity_stub)
    stranger = await new_org(identity_stub)
    project = await create_project(projects, owner)
    stored = await upload(projects, owner, project.id, "brief.txt", b"secret", "text/plain")
    for call in (
        projects.GetFile(pb.GetFileRequest(id=stored.id), metadata=bearer(stranger.access_token)),
        projects.ReadFileContent(pb.ReadFileContentRequest(id=stored.id),
                                 metadata=bearer(stranger.access_token)),
        upload(projects, stranger, project.id, "planted.txt", b"x", "text/plain"),
    ):
        assert (await rpc_error(call)).http_status == 404
    other_project = await create_project(projects, owner)
    task = (await projects.CreateTask(pb.CreateTaskRequest(
        project_id=other_project.id, task=pb.Task(title="Elsewhere")),
        metadata=bearer(owner.access_token))).task
    error = await rpc_error(upload(projects, owner, project.id, "a.txt", b"a", "text/plain",
                                   task_id=task.id))
    assert error.field_errors[0].field == "task_id"
