"""Time-ordered entry ids (UUIDv7, RFC 9562) for imports.

An import writes thousands of entries a second; random ids would land on random pages of the
primary-key index, each one read, dirtied and logged. Ids that grow with time are appended at the
index's right edge. They are as unique and as opaque to clients as any other uuid.
"""

from __future__ import annotations

import time
from random import getrandbits

_RAND_B = (1 << 62) - 1


class OrderedIds:
    """Strictly increasing ids, as text. Within a millisecond the 62 `rand_b` bits count up from
    a random start (RFC 9562, method 2), so only the last 16 hex digits change from id to id."""

    def __init__(self) -> None:
        self._ms = -1
        self._head = ""
        self._counter = 0

    def next(self) -> str:
        ms = time.time_ns() // 1_000_000
        if ms > self._ms or self._counter >= _RAND_B:
            self._ms = max(ms, self._ms + 1)
            stamp = f"{self._ms:012x}"
            self._head = f"{stamp[:8]}-{stamp[8:]}-7{getrandbits(12):03x}-"
            self._counter = getrandbits(61)  # room to count up within the millisecond
        else:
            self._counter += 1
        tail = (0b10 << 62) | self._counter
        return f"{self._head}{tail >> 48:04x}-{tail & 0xFFFFFFFFFFFF:012x}"
