"""Both storage backends behave alike with files larger than an S3 part: a streamed upload reads
back byte for byte and by range (across part boundaries), nothing is visible before it is
published, an aborted upload leaves nothing behind (no stray S3 parts either), and deletes stick."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator

import pytest

from labs_projects.adapters.object_storage import LocalObjectStorage
from labs_projects.adapters.s3_storage import MIN_PART_BYTES, S3ObjectStorage

pytestmark = pytest.mark.integration

CHUNK = 64 * 1024
# Two full S3 parts and a short last one.
BIG = os.urandom(2 * MIN_PART_BYTES + 123_457)


class Backend:
    def __init__(self, storage, leftovers) -> None:
        self.storage = storage
        self.leftovers = leftovers  # async (prefix) -> what is stored under it

    async def store(self, key: str, content: bytes) -> None:
        upload = await self.storage.open_upload(key)
        for start in range(0, len(content), CHUNK):
            await upload.write(content[start:start + CHUNK])
        await upload.publish()


@pytest.fixture(params=["local", "s3"])
async def backend(request, tmp_path) -> AsyncIterator[Backend]:
    if request.param == "local":
        async def in_directory(prefix: str) -> list[str]:
            directory = tmp_path / prefix
            return sorted(p.name for p in directory.iterdir()) if directory.exists() else []

        yield Backend(LocalObjectStorage(tmp_path), in_directory)
        return
    bucket = request.getfixturevalue("s3_bucket")
    storage = S3ObjectStorage(
        bucket.name, endpoint_url=bucket.endpoint_url, region=bucket.region,
        access_key_id=bucket.access_key_id, secret_access_key=bucket.secret_access_key,
        part_bytes=MIN_PART_BYTES)

    async def in_bucket(prefix: str) -> list[str]:
        return await asyncio.to_thread(bucket.leftovers, f"{prefix}/")

    yield Backend(storage, in_bucket)
    await storage.close()


async def test_a_large_streamed_upload_reads_back_whole_and_by_range(backend: Backend):
    org = uuid.uuid4().hex
    key = f"{org}/{uuid.uuid4()}"
    await backend.store(key, BIG)
    whole = b"".join([await backend.storage.read(key, start, 1024 * 1024)
                      for start in range(0, len(BIG), 1024 * 1024)])
    assert hashlib.sha256(whole).digest() == hashlib.sha256(BIG).digest()
    for offset, length in ((0, 1), (MIN_PART_BYTES - 10, 20), (2 * MIN_PART_BYTES, 123_457),
                           (len(BIG) - 1, 1)):
        assert await backend.storage.read(key, offset, length) == BIG[offset:offset + length]
    assert len(await backend.leftovers(org)) == 1


async def test_small_and_empty_files_are_stored_too(backend: Backend):
    org = uuid.uuid4().hex
    await backend.store(f"{org}/small", b"hello")
    await backend.store(f"{org}/empty", b"")
    assert await backend.storage.read(f"{org}/small", 1, 3) == b"ell"
    assert len(await backend.leftovers(org)) == 2


async def test_an_unpublished_upload_is_invisible_and_an_aborted_one_leaves_nothing(
    backend: Backend,
):
    org = uuid.uuid4().hex
    key = f"{org}/{uuid.uuid4()}"
    upload = await backend.storage.open_upload(key)
    for start in range(0, len(BIG), CHUNK):
        await upload.write(BIG[start:start + CHUNK])
    with pytest.raises(Exception):  # noqa: B017 - each backend has its own "no such blob"
        await backend.storage.read(key, 0, 10)
    await upload.abort()
    assert await backend.leftovers(org) == []


async def test_a_new_version_never_touches_the_old_and_deletes_stick(backend: Backend):
    org = uuid.uuid4().hex
    first, second = f"{org}/{uuid.uuid4()}", f"{org}/{uuid.uuid4()}"
    await backend.store(first, b"version one")
    await backend.store(second, BIG)
    assert await backend.storage.read(first, 0, 100) == b"version one"
    await backend.storage.delete(second)
    await backend.storage.delete(second)  # deleting twice is not an error: retries are safe
    assert len(await backend.leftovers(org)) == 1
