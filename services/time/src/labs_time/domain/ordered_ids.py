"""Time-ordered entry ids (UUIDv7, RFC 9562) for imports.

An import writes thousands of entries a second; random ids would land on random pages of the
primary-key index, each one read, dirtied and logged. Ids that grow with time are appended at the
index's right edge. They are as unique and as opaque to clients as any other uuid.
"""

from __future__ import annotations

import time
from random import getrandbits

_VARIANT = 0b10 << 62
_RAND_B = (1 << 62) - 1
_LOW_48 = (1 << 48) - 1


class OrderedIds:
    """Strictly increasing ids, as text. Within a millisecond the 62 `rand_b` bits count up from
    a random start (RFC 9562, method 2), so only the last 12 hex digits change from id to id:
    the rest of the text is made again only when the clock or the carry moves it."""

    def __init__(self) -> None:
        self._ms = -1
        self._counter = _RAND_B
        self._rand_a = 0
        self._prefix = ""

    def next(self) -> str:
        ms = time.time_ns() // 1_000_000
        if ms > self._ms or self._counter >= _RAND_B:
            self._ms = max(ms, self._ms + 1)
            self._counter = getrandbits(61)  # room to count up within the millisecond
            self._rand_a = getrandbits(12)
            self._prefix = ""
        else:
            self._counter += 1
        tail = _VARIANT | self._counter
        low = tail & _LOW_48
        if not self._prefix or low == 0:
            stamp = f"{self._ms:012x}"
            self._prefix = f"{stamp[:8]}-{stamp[8:]}-7{self._rand_a:03x}-{tail >> 48:04x}-"
        return f"{self._prefix}{low:012x}"
