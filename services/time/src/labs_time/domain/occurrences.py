"""Occurrence numbers of row contents within one file, in bounded memory.

A fingerprint is a row's content hash plus its occurrence number among identical rows of the same
file, so two identical one-hour rows stay two entries while the same file (or an export that
overlaps it) imported again adds nothing. Numbering needs every content seen so far; a Python set
would cost about 70 bytes a row, so contents are kept as 64-bit keys in an open-addressing table
(8 bytes a slot, at most half full: 16 to 32 bytes a row), and only repeated contents, which are
rare, get a count.

Two different contents whose 128-bit hashes share their first 64 bits (odds about 1 in 10^7 for a
file of ten million rows) would number the second one 2: it still gets a fingerprint of its own,
and the same file gives the same numbers every time.
"""

from __future__ import annotations

from array import array

_EMPTY = 0


class Occurrences:
    def __init__(self, capacity: int = 1 << 18) -> None:  # 2 MiB: 131,072 rows before it grows
        self._slots = array("Q", bytes(8 * capacity))
        self._mask = capacity - 1
        self._used = 0
        self._repeats: dict[int, int] = {}

    def count(self, digest: bytes) -> int:
        """1 the first time `digest` is seen, 2 the second time, and so on."""
        key = int.from_bytes(digest[:8], "little") or 1  # 0 marks an empty slot
        slots, mask = self._slots, self._mask
        at = key & mask
        while True:
            held = slots[at]
            if held == key:
                seen = self._repeats.get(key, 1) + 1
                self._repeats[key] = seen
                return seen
            if held == _EMPTY:
                break
            at = (at + 1) & mask
        slots[at] = key
        self._used += 1
        if self._used * 2 > len(slots):
            self._grow()
        return 1

    def _grow(self) -> None:
        old = self._slots
        self._slots = array("Q", bytes(16 * len(old)))
        self._mask = len(self._slots) - 1
        slots, mask = self._slots, self._mask
        for key in old:
            if key != _EMPTY:
                at = key & mask
                while slots[at] != _EMPTY:
                    at = (at + 1) & mask
                slots[at] = key
