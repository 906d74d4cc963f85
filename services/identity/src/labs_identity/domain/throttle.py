"""How long an account, or an address, waits after repeated failed sign-ins: a few mistakes are
free, then each further one doubles the wait, up to a cap, so guessing a password takes months
while its owner is never shut out for long. An account is an email (known or not, so the answer
never tells which), whatever organization the attempt names; an address is the client's, as
the gateway saw it, and gets more free mistakes (an office signs in from one address).

Every attempt counts as failed until its password proves right, so concurrent guesses cannot
slip past the count while theirs are being verified."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from labs_common.errors import ResourceExhausted

FREE_FAILURES = 4
FREE_ADDRESS_FAILURES = 20
# Failures this long after the last one are forgotten.
FORGET_AFTER = timedelta(hours=1)
MAX_LOCKOUT = timedelta(minutes=15)


@dataclass(frozen=True)
class Attempts:
    """An account's unproven sign-in attempts in a row, the last one's time, and until when
    the next is refused."""

    failures: int
    last_at: datetime
    locked_until: datetime | None = None


def lockout(failures: int, free: int = FREE_FAILURES) -> timedelta:
    """The wait after the `failures`-th failure in a row: 1 s after the first one not free,
    then 2 s, 4 s... up to MAX_LOCKOUT."""
    if failures <= free:
        return timedelta(0)
    return min(MAX_LOCKOUT, timedelta(seconds=2 ** min(failures - free - 1, 20)))


def retry_after(locked_until: datetime | None, now: datetime) -> int | None:
    """Whole seconds until an attempt is heard again, None when it is heard now."""
    if locked_until is None or locked_until <= now:
        return None
    return max(1, math.ceil((locked_until - now).total_seconds()))


def admit(counted: Attempts | None, now: datetime, free: int = FREE_FAILURES) -> Attempts:
    """The count with one more attempt, or ResourceExhausted (when to retry) while locked."""
    if counted is not None and (wait := retry_after(counted.locked_until, now)):
        raise ResourceExhausted(
            f"Too many failed sign-ins for this account: retry in {wait} s.",
            reason="LOGIN_THROTTLED",
            metadata={"retry_after": str(wait)},
        )
    fresh = counted is None or now - counted.last_at > FORGET_AFTER
    failures = 1 if fresh else counted.failures + 1
    wait = lockout(failures, free)
    return Attempts(failures, now, now + wait if wait else None)
