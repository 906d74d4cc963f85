"""Where file contents live: a local directory (the default) behind a small interface that the
S3-compatible store (s3_storage.py) implements too. Blobs are written under a temporary name and
published by rename, so a reader never sees half a file."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import Protocol


class ObjectStorage(Protocol):
    async def open_upload(self, key: str) -> Upload: ...

    async def read(self, key: str, offset: int, length: int) -> bytes: ...

    async def delete(self, key: str) -> None: ...


class Upload(Protocol):
    async def write(self, chunk: bytes) -> None: ...

    async def publish(self) -> None: ...

    async def abort(self) -> None: ...


class LocalObjectStorage:
    """Blobs as files under `root/<org>/<file id>`; blocking I/O runs in worker threads."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def _path(self, key: str) -> Path:
        path = (self._root / key).resolve()
        if self._root.resolve() not in path.parents:
            raise ValueError(f"storage key escapes the storage root: {key!r}")
        return path

    async def open_upload(self, key: str) -> LocalUpload:
        path = self._path(key)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")

        def start():
            path.parent.mkdir(parents=True, exist_ok=True)
            return open(temporary, "wb")

        return LocalUpload(await asyncio.to_thread(start), temporary, path)

    async def read(self, key: str, offset: int, length: int) -> bytes:
        def read_range() -> bytes:
            with open(self._path(key), "rb") as blob:
                blob.seek(offset)
                return blob.read(length)

        return await asyncio.to_thread(read_range)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)


class LocalUpload:
    def __init__(self, handle, temporary: Path, final: Path) -> None:
        self._handle = handle
        self._temporary = temporary
        self._final = final

    async def write(self, chunk: bytes) -> None:
        await asyncio.to_thread(self._handle.write, chunk)

    async def publish(self) -> None:
        def finish():
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            os.replace(self._temporary, self._final)

        await asyncio.to_thread(finish)

    async def abort(self) -> None:
        def discard():
            self._handle.close()
            self._temporary.unlink(missing_ok=True)

        await asyncio.to_thread(discard)
