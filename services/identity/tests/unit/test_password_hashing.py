"""Password hashing is bounded: a flood of sign-ins never runs more hashes at once than there
are slots, and past the waiting line it is refused at once instead of queueing."""

from __future__ import annotations

import asyncio
import threading

import pytest

from labs_common.errors import ResourceExhausted
from labs_identity.adapters import passwords
from labs_identity.adapters.passwords import HashingSlots


class BlockingHasher:
    """Verifies only once `gate` opens, counting how many verify at the same time."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self._lock = threading.Lock()
        self.started = self.now = self.peak = 0

    def verify(self, password_hash: str, password: str) -> bool:
        with self._lock:
            self.started += 1
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            return self.gate.wait(timeout=10)
        finally:
            with self._lock:
                self.now -= 1


async def until(condition, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.005)


@pytest.fixture
def hasher(monkeypatch) -> BlockingHasher:
    fake = BlockingHasher()
    monkeypatch.setattr(passwords, "_hasher", fake)
    yield fake
    fake.gate.set()


async def test_concurrent_sign_ins_never_hash_more_than_the_slots_at_once(monkeypatch, hasher):
    slots = HashingSlots(running=2, waiting=20)
    monkeypatch.setattr(passwords, "slots", slots)
    attempts = [asyncio.create_task(passwords.verify_password("stored", "pw")) for _ in range(12)]
    await until(lambda: hasher.started == 2 and slots.queued == 10)
    assert hasher.now == 2
    hasher.gate.set()
    assert await asyncio.gather(*attempts) == [True] * 12
    assert hasher.started == 12 and hasher.peak == 2


async def test_past_the_waiting_line_a_sign_in_is_refused_at_once(monkeypatch, hasher):
    slots = HashingSlots(running=1, waiting=1)
    monkeypatch.setattr(passwords, "slots", slots)
    running = asyncio.create_task(passwords.verify_password("stored", "pw"))
    waiting = asyncio.create_task(passwords.verify_password("stored", "pw"))
    await until(lambda: hasher.started == 1 and slots.queued == 1)
    with pytest.raises(ResourceExhausted) as caught:
        await passwords.verify_password("stored", "pw")
    assert caught.value.metadata["retry_after"] == "1"
    hasher.gate.set()
    assert await asyncio.gather(running, waiting) == [True, True]


async def test_a_cancelled_caller_keeps_its_slot_until_its_hash_ends(monkeypatch, hasher):
    slots = HashingSlots(running=1, waiting=5)
    monkeypatch.setattr(passwords, "slots", slots)
    first = asyncio.create_task(passwords.verify_password("stored", "pw"))
    await until(lambda: hasher.started == 1)
    first.cancel()
    second = asyncio.create_task(passwords.verify_password("stored", "pw"))
    await until(lambda: slots.queued == 1)
    assert hasher.started == 1  # the cancelled caller's hash still holds the only slot
    hasher.gate.set()
    assert await second is True and hasher.peak == 1
