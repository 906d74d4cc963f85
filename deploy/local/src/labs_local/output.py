"""Interleaved output of many processes, each line prefixed with its name in a stable colour."""

from __future__ import annotations

import zlib

from rich.console import Console
from rich.text import Text

from labs_common.config import SERVICES

_PALETTE = (
    "cyan", "magenta", "green", "yellow", "blue", "bright_magenta", "bright_cyan",
    "bright_green", "bright_yellow", "bright_blue",
)
# Known names get fixed colours so a service looks the same in every run and every terminal.
_FIXED = {name: _PALETTE[i] for i, name in enumerate((*SERVICES, "gateway"))}
RUNNER = "labs"


def colour_of(name: str) -> str:
    return _FIXED.get(name) or _PALETTE[zlib.crc32(name.encode()) % len(_PALETTE)]


class Output:
    """Where the runner and its children write; one rich console shared by all of them."""

    def __init__(self, console: Console | None = None, name_width: int = 12) -> None:
        self.console = console or Console(highlight=False)
        self._width = name_width

    def _prefix(self, name: str) -> Text:
        return Text(f"{name:>{self._width}} │ ", style=colour_of(name))

    def line(self, name: str, text: str) -> None:
        """One line a child wrote. Its ANSI colours are kept; `[...]` in it is not rich markup."""
        self._print(self._prefix(name) + Text.from_ansi(text))

    def event(self, name: str, message: str, style: str = "bold") -> None:
        """Something the runner says about a child (started, crashed, stopped)."""
        self._print(self._prefix(name) + Text(message, style=style))

    def info(self, message: str, style: str = "bold") -> None:
        self.event(RUNNER, message, style)

    def _print(self, text: Text) -> None:
        # soft_wrap: long log lines stay whole, so they can be copied and grepped.
        self.console.print(text, soft_wrap=True, highlight=False)
