"""argon2id password hashing with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane).

Each hash holds 19 MiB and a core for tens of milliseconds, so at most one per core runs at a
time, and only a few more may wait: past that a sign-in is refused at once (429, retry in a
second) instead of queueing threads and memory without bound."""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Callable
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from labs_common.errors import ResourceExhausted

T = TypeVar("T")

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified when no account matches, so a wrong email costs as long as a wrong password.
_DECOY = _hasher.hash("decoy password that never matches")


class HashingSlots:
    """At most `running` hashes at once and `waiting` more in line (per event loop)."""

    def __init__(self, running: int, waiting: int) -> None:
        self.running = running
        self.waiting = waiting
        self._queued = 0
        self._semaphores: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if loop not in self._semaphores:
            self._semaphores[loop] = asyncio.Semaphore(self.running)
        return self._semaphores[loop]

    async def run(self, work: Callable[[], T]) -> T:
        semaphore = self._semaphore()
        if semaphore.locked() and self._queued >= self.waiting:
            raise ResourceExhausted(
                "Too many sign-ins at once; retry in a second.",
                reason="PASSWORD_HASHING_BUSY",
                metadata={"retry_after": "1"},
            )
        self._queued += 1
        try:
            await semaphore.acquire()
        finally:
            self._queued -= 1
        try:
            # Tens of milliseconds of CPU: keep the event loop free meanwhile.
            hashing = asyncio.get_running_loop().run_in_executor(None, work)
        except BaseException:
            semaphore.release()
            raise
        # The slot is free when the thread is, not when a cancelled caller stops waiting.
        hashing.add_done_callback(lambda _: semaphore.release())
        return await asyncio.shield(hashing)

    @property
    def queued(self) -> int:
        return self._queued


_CORES = os.cpu_count() or 1
slots = HashingSlots(running=_CORES, waiting=4 * _CORES)


async def hash_password(password: str) -> str:
    return await slots.run(lambda: _hasher.hash(password))


async def verify_password(password_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DECOY, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await slots.run(verify)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
