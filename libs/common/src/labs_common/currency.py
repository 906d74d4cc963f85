"""Currency codes, checked against ISO 4217 as pycountry ships it (its iso4217 data follows the
standard's maintenance agency). Pure Python: domain rules call it, nothing here does I/O after
the list is read once.

One policy everywhere a currency is accepted: three letters in any case, answered upper-cased
("eur" → "EUR"); anything else, including a well-formed code the standard does not list
("XYZ"), is an InvalidArgument naming the field. XTS (reserved for testing) and XXX (no
currency) are ISO 4217 codes but never a price, so they are refused too."""

from __future__ import annotations

from functools import cache

import pycountry

from labs_common.errors import InvalidArgument

MESSAGE = "must be an ISO 4217 currency code, e.g. EUR"
# In the standard, but no money is ever counted in them.
_NOT_MONEY = frozenset({"XTS", "XXX"})


@cache
def iso_4217_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies) - _NOT_MONEY


def is_currency_code(value: str | None) -> bool:
    """Whether `value`, upper-cased, is a currency of ISO 4217."""
    return bool(value) and value.isascii() and value.upper() in iso_4217_codes()  # type: ignore[union-attr]


def currency_code(value: str | None, field: str = "currency") -> str:
    """The code upper-cased, or InvalidArgument on `field` when ISO 4217 has no such currency."""
    if not is_currency_code(value):
        raise InvalidArgument.on(field, MESSAGE)
    return value.upper()  # type: ignore[union-attr]
