"""What start-up freed leaves the process's memory once release_free_heap has run."""

from __future__ import annotations

import sys

import psutil
import pytest

from labs_common.heap import release_free_heap

MIB = 1024 * 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_heap_below_a_live_block_is_handed_back():
    process = psutil.Process()
    # 64 MiB of blocks malloc serves from its heap (over obmalloc's 512 bytes, under the mmap
    # threshold), then all freed but the last: the live block on top keeps glibc from trimming
    # the heap by itself, as start-up's survivors do.
    blocks = [bytes(2000) for _ in range(32 * 1024)]
    survivor = blocks[-1]
    del blocks
    before = process.memory_info().rss
    release_free_heap()
    after = process.memory_info().rss
    assert before - after > 32 * MIB
    assert survivor == bytes(2000)
