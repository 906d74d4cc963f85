"""Entity tags: a versioned object's etag changes with every update, so If-Match compares what
the caller last read with what is stored now."""

from __future__ import annotations

from datetime import datetime

from labs_common.errors import PreconditionFailed


def etag_of(updated_at: datetime | None) -> str:
    """Changes with every update (updated_at is the transaction's clock, to the microsecond)."""
    return format(int(updated_at.timestamp() * 1_000_000), "x") if updated_at else ""


class Versioned:
    """Mixin for domain dataclasses with an `updated_at`: their `etag`."""

    updated_at: datetime | None

    @property
    def etag(self) -> str:
        return etag_of(self.updated_at)


def require_match(etag: str, if_match: list[str], what: str) -> None:
    """Refuse (412) a change to the `what` whose etag is not among `if_match` (none: no
    condition; `*`: any version)."""
    if if_match and etag not in if_match and "*" not in if_match:
        raise PreconditionFailed(
            f"The {what} changed since you read it; read it again and retry.",
            reason="ETAG_MISMATCH",
        )
