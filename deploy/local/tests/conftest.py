"""Polling instead of sleeping, and consoles whose output a test can read."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable

import pytest
from rich.console import Console

from labs_local.output import Output


async def _eventually(predicate: Callable[[], bool], within: float = 15.0,
                      what: str = "condition") -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {within} s")
        await asyncio.sleep(0.02)


def _captured_output() -> tuple[Output, io.StringIO]:
    buffer = io.StringIO()
    return Output(Console(file=buffer, width=300, color_system=None)), buffer


@pytest.fixture
def eventually():
    """`await eventually(lambda: ..., within=..., what=...)`: poll until true or fail."""
    return _eventually


@pytest.fixture
def captured_output():
    """`output, buffer = captured_output()`: an Output writing plain text into a StringIO."""
    return _captured_output
