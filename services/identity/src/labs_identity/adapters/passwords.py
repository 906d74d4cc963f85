"""argon2id password hashing with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified when no account matches, so a wrong email costs as long as a wrong password.
_DECOY = _hasher.hash("decoy password that never matches")


async def hash_password(password: str) -> str:
    # Hashing takes tens of milliseconds of CPU: keep the event loop free meanwhile.
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DECOY, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
