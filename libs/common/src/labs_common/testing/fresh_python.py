"""A script run by a new interpreter, for tests of what a process does at import or start-up
(what it loads, what it freezes): the test session itself did all of that long ago."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping


def fresh_python(script: str, *, timeout: float = 120,
                 env: Mapping[str, str] | None = None) -> str:
    """What `script` printed; a test failure showing its stderr if it failed."""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=timeout, check=False, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout
