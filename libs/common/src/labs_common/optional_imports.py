"""Extras that libraries import whenever they are installed, though no Labs process uses them.

nats-py imports aiohttp (~6 MiB, ~0.25 s) for a WebSocket transport we never dial; structlog
imports rich (~5 MiB, ~0.15 s) to draw tracebacks our JSON logs never show; httpx imports its
command line (rich, pygments, click). All are installed for other reasons (slack-sdk's async
client, the local runner's console), and each library guards the import with
`except ImportError`. Skipping them there, once, saves every service, the gateway and the fork
server that memory and start-up time; anything that imports aiohttp or rich later gets the real
module.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def skipped(*names: str) -> Iterator[None]:
    """Inside the block `import name` raises ImportError, for each name not imported yet."""
    blocked = [name for name in names if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # the import system's "not found"
    try:
        yield
    finally:
        for name in blocked:
            if sys.modules.get(name) is None:
                del sys.modules[name]


def skip_unused_extras() -> None:
    with skipped("aiohttp", "rich"):
        import nats.aio.transport  # noqa: F401
        import structlog  # noqa: F401
    # httpx's command line runs as its own program, never inside one of ours.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
