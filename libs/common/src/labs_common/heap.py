"""Memory a process freed, handed back to the system."""

from __future__ import annotations

import contextlib
import ctypes


def release_free_heap() -> None:
    """Hands the C heap freed so far (start-up's imports, migrations, warm-ups, the collection
    before a freeze) back to the system: glibc keeps freed pages mapped, and counted in the
    process's memory, until asked to trim. Called once start-up is over, and in the fork server
    before it forks, so that no child inherits those pages. Elsewhere than glibc there is
    nothing to ask."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)
