"""What a request may name: the fields of an update mask (or of a create) that the resource lets
a caller set. Any other is refused, every one of them named (INVALID_ARGUMENT on the mask, which
the gateway answers as 422), never silently ignored."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from labs_common.errors import InvalidArgument


def refuse_unsettable(
    named: Iterable[str], settable: Collection[str], *, field: str = "update_mask"
) -> None:
    """Raise InvalidArgument on `field` naming, sorted, what of `named` is not in `settable`."""
    unknown = sorted({name for name in named if name not in settable})
    if unknown:
        raise InvalidArgument.on(field, f"cannot set {', '.join(unknown)}")
