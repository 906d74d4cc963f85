"""What makes an import's rows distinct: identical rows of one file are numbered 1, 2, 3 (so two
identical one-hour rows stay two entries), and imported ids grow with time."""

import hashlib
import itertools
import uuid

from labs_time.domain.occurrences import Occurrences
from labs_time.domain.ordered_ids import OrderedIds


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def test_identical_contents_are_numbered_in_order_and_others_start_at_one():
    seen = Occurrences()
    numbers = [seen.count(_digest(t)) for t in ["a", "b", "a", "a", "c", "b"]]
    assert numbers == [1, 1, 2, 3, 1, 2]


def test_numbering_survives_the_table_growing_many_times():
    seen = Occurrences(capacity=4)
    contents = [_digest(str(i)) for i in range(5000)]
    assert [seen.count(d) for d in contents] == [1] * 5000
    assert [seen.count(d) for d in contents[::7]] == [2] * len(contents[::7])
    assert seen.count(contents[0]) == 3


def test_ordered_ids_are_valid_v7_uuids_and_strictly_increase():
    ids = OrderedIds()
    made = [ids.next() for _ in range(20_000)]
    parsed = [uuid.UUID(text) for text in made]
    assert all(u.version == 7 and u.variant == uuid.RFC_4122 for u in parsed)
    assert [str(u) for u in parsed] == made
    assert all(a.int < b.int for a, b in itertools.pairwise(parsed))
