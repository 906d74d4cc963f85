"""File contents in an S3-compatible bucket (AWS S3, MinIO, Ceph...), the same interface as the
local directory. Uploads stream as a multipart upload: chunks gather into parts of `part_bytes`
(S3 wants at least 5 MiB for every part but the last), so at most one part is held in memory;
a file smaller than one part is a single PutObject. An object only appears when the upload
completes, so a reader never sees half a file; an aborted upload leaves no parts behind.
Reads are ranged GetObjects whose body is streamed."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aioboto3
from botocore.config import Config

MIB = 1024 * 1024
# S3's smallest part (except the last one of an upload).
MIN_PART_BYTES = 5 * MIB


class S3ObjectStorage:
    """Blobs as objects `<org>/<file id>` in one bucket. One client is opened on first use and
    kept (it pools connections); `close()` ends it when the service stops."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 access_key_id: str | None = None, secret_access_key: str | None = None,
                 part_bytes: int = 8 * MIB) -> None:
        if part_bytes < MIN_PART_BYTES:
            raise ValueError(f"S3 parts must be at least {MIN_PART_BYTES} bytes")
        self._bucket = bucket
        self._part_bytes = part_bytes
        self._session = aioboto3.Session(aws_access_key_id=access_key_id,
                                         aws_secret_access_key=secret_access_key,
                                         region_name=region)
        self._endpoint_url = endpoint_url
        self._stack = contextlib.AsyncExitStack()
        self._client: Any = None
        self._opening = asyncio.Lock()

    async def _s3(self) -> Any:
        async with self._opening:
            if self._client is None:
                self._client = await self._stack.enter_async_context(self._session.client(
                    "s3", endpoint_url=self._endpoint_url,
                    config=Config(retries={"mode": "standard", "max_attempts": 3})))
            return self._client

    async def close(self) -> None:
        async with self._opening:
            await self._stack.aclose()
            self._client = None

    async def open_upload(self, key: str) -> S3Upload:
        return S3Upload(await self._s3(), self._bucket, key, self._part_bytes)

    async def read(self, key: str, offset: int, length: int) -> bytes:
        s3 = await self._s3()
        answer = await s3.get_object(Bucket=self._bucket, Key=key,
                                     Range=f"bytes={offset}-{offset + length - 1}")
        body, data = answer["Body"], bytearray()
        # The body proxy's own context manager yields the bare HTTP response; close it directly.
        try:
            async for chunk in body.iter_chunks():
                data += chunk
        finally:
            body.close()
        return bytes(data)

    async def delete(self, key: str) -> None:
        s3 = await self._s3()
        await s3.delete_object(Bucket=self._bucket, Key=key)


class S3Upload:
    def __init__(self, s3: Any, bucket: str, key: str, part_bytes: int) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._key = key
        self._part_bytes = part_bytes
        self._pending = bytearray()
        # Started with the first full part: small files never pay for a multipart upload.
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []

    async def write(self, chunk: bytes) -> None:
        self._pending += chunk
        while len(self._pending) >= self._part_bytes:
            part = bytes(self._pending[: self._part_bytes])
            del self._pending[: self._part_bytes]
            await self._send_part(part)

    async def _send_part(self, part: bytes) -> None:
        if self._upload_id is None:
            started = await self._s3.create_multipart_upload(Bucket=self._bucket, Key=self._key)
            self._upload_id = started["UploadId"]
        number = len(self._parts) + 1
        sent = await self._s3.upload_part(Bucket=self._bucket, Key=self._key,
                                          UploadId=self._upload_id, PartNumber=number, Body=part)
        self._parts.append({"PartNumber": number, "ETag": sent["ETag"]})

    async def publish(self) -> None:
        if self._upload_id is None:
            await self._s3.put_object(Bucket=self._bucket, Key=self._key,
                                      Body=bytes(self._pending))
        else:
            if self._pending:
                await self._send_part(bytes(self._pending))
            await self._s3.complete_multipart_upload(
                Bucket=self._bucket, Key=self._key, UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts})
        self._pending.clear()

    async def abort(self) -> None:
        self._pending.clear()
        if self._upload_id is not None:
            # Parts of an unfinished upload are stored (and billed) until aborted.
            await self._s3.abort_multipart_upload(Bucket=self._bucket, Key=self._key,
                                                  UploadId=self._upload_id)
            self._upload_id = None
