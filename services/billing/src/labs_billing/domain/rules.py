"""Validation of what a manager sets on an invoice; every wrong field is named at once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from labs_billing.domain.commands import InvoiceTerms, ItemFields
from labs_common.errors import FieldErrors, InvalidArgument

MAX_ITEMS = 500
MAX_DESCRIPTION = 500
MAX_NOTES = 5000
MAX_QUANTITY = Decimal("9999999999.99")
MAX_PRICE = Decimal("999999999999.99")
MAX_TERMS_DAYS = 365


def check_items(items: Iterable[ItemFields], problems: FieldErrors, *, required: bool) -> None:
    items = list(items)
    if required and not items:
        problems.check(lambda: _fail("items", "at least one item is needed"))
    if len(items) > MAX_ITEMS:
        problems.check(lambda: _fail("items", f"at most {MAX_ITEMS} items"))
    for n, item in enumerate(items):
        where = f"items[{n}]"
        if not item.description.strip():
            problems.check(lambda w=where: _fail(f"{w}.description", "must not be empty"))
        elif len(item.description) > MAX_DESCRIPTION:
            problems.check(lambda w=where: _fail(
                f"{w}.description", f"at most {MAX_DESCRIPTION} characters"))
        if not 0 < item.quantity <= MAX_QUANTITY or _places(item.quantity) > 2:
            problems.check(lambda w=where: _fail(
                f"{w}.quantity", "must be greater than 0, with at most 2 decimals"))
        if not 0 <= item.unit_price <= MAX_PRICE or _places(item.unit_price) > 2:
            problems.check(lambda w=where: _fail(
                f"{w}.unit_price", "must be 0 or more, with at most 2 decimals"))


def check_terms(terms: InvoiceTerms, problems: FieldErrors) -> None:
    if terms.tax_rate is not None and not (0 <= terms.tax_rate <= 100
                                           and _places(terms.tax_rate) <= 4):
        problems.check(lambda: _fail("tax_rate", "must be a percentage from 0 to 100"))
    if terms.payment_terms_days is not None and not (
            0 <= terms.payment_terms_days <= MAX_TERMS_DAYS):
        problems.check(lambda: _fail("payment_terms_days", f"must be 0 to {MAX_TERMS_DAYS}"))
    if terms.notes is not None and len(terms.notes) > MAX_NOTES:
        problems.check(lambda: _fail("notes", f"at most {MAX_NOTES} characters"))
    if terms.issue_date and terms.due_date and terms.due_date < terms.issue_date:
        problems.check(lambda: _fail("due_date", "must not be before issue_date"))


def check_period(start: date, end: date, problems: FieldErrors) -> None:
    if end < start:
        problems.check(lambda: _fail("period_end", "must not be before period_start"))
    elif (end - start).days > 366:
        problems.check(lambda: _fail("period_end", "a period covers at most a year"))


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _fail(field: str, message: str) -> None:
    raise InvalidArgument.on(field, message)
