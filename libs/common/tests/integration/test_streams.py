"""Streams are bounded by size as well as by age, the dead-letter stream too."""

from __future__ import annotations

import pytest

from labs_common.events.streams import (
    DEAD_LETTER_MAX_BYTES,
    DEAD_LETTER_STREAM,
    MAX_AGE_SECONDS,
    STREAM_MAX_BYTES,
    ensure_stream,
    stream_name,
)

pytestmark = pytest.mark.integration


async def test_every_stream_has_a_max_bytes_and_a_max_age(js):
    service = (await js.stream_info(stream_name("time"))).config
    dead_letters = (await js.stream_info(DEAD_LETTER_STREAM)).config
    assert (service.max_bytes, service.max_age) == (STREAM_MAX_BYTES, MAX_AGE_SECONDS)
    assert (dead_letters.max_bytes, dead_letters.max_age) == (
        DEAD_LETTER_MAX_BYTES,
        MAX_AGE_SECONDS,
    )


async def test_an_existing_stream_takes_the_limits_of_the_settings(js):
    await ensure_stream(js, "time", max_bytes=64 * 1024**2, dead_letter_max_bytes=32 * 1024**2)
    try:
        assert (await js.stream_info(stream_name("time"))).config.max_bytes == 64 * 1024**2
        assert (await js.stream_info(DEAD_LETTER_STREAM)).config.max_bytes == 32 * 1024**2
    finally:
        await ensure_stream(js, "time")
