"""How long an account waits after repeated failed sign-ins: a few mistakes are free, then each
further failure doubles the wait, up to a cap, so guessing a password takes months while its
owner is never shut out for long. An account is an email (known or not, so the answer never
tells which), whatever organization the attempt names."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

FREE_FAILURES = 4
# Failures this long after the last one are forgotten.
FORGET_AFTER = timedelta(hours=1)
MAX_LOCKOUT = timedelta(minutes=15)


def lockout(failures: int) -> timedelta:
    """The wait after the `failures`-th failure in a row: 1 s after the first one not free,
    then 2 s, 4 s... up to MAX_LOCKOUT."""
    if failures <= FREE_FAILURES:
        return timedelta(0)
    return min(MAX_LOCKOUT, timedelta(seconds=2 ** min(failures - FREE_FAILURES - 1, 20)))


def retry_after(locked_until: datetime | None, now: datetime) -> int | None:
    """Whole seconds until an attempt is heard again, None when it is heard now."""
    if locked_until is None or locked_until <= now:
        return None
    return max(1, math.ceil((locked_until - now).total_seconds()))
