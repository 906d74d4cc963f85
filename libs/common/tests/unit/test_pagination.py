from __future__ import annotations

import pytest

from labs_common.errors import InvalidArgument
from labs_common.pagination import MAX_PAGE_SIZE, decode_cursor, encode_cursor, page_size


def test_cursors_round_trip_and_reject_garbage():
    assert decode_cursor(encode_cursor("2026-01-01T00:00:00+00:00", "abc"), 2) == [
        "2026-01-01T00:00:00+00:00",
        "abc",
    ]
    assert decode_cursor("", 2) is None
    for garbage in ("%%%", encode_cursor("only-one"), "bm90IGpzb24"):
        with pytest.raises(InvalidArgument):
            decode_cursor(garbage, 2)


def test_page_size_defaults_and_caps():
    assert page_size(0) == 50
    assert page_size(10_000) == MAX_PAGE_SIZE
    with pytest.raises(InvalidArgument):
        page_size(-1)
