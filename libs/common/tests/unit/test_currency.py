"""Currency codes are checked against ISO 4217 (pycountry's list), one policy for every service:
any case is accepted and answered upper-cased; a code the standard does not list names the field."""

from __future__ import annotations

import pytest

from labs_common.currency import MESSAGE, currency_code, is_currency_code, iso_4217_codes
from labs_common.errors import InvalidArgument


@pytest.mark.parametrize("code", ["EUR", "USD", "GBP", "JPY", "CHF", "XOF"])
def test_codes_the_standard_lists_are_accepted(code):
    assert currency_code(code) == code


def test_lowercase_is_accepted_and_upper_cased():
    assert currency_code("eur") == "EUR"
    assert currency_code("Gbp", "budget_currency") == "GBP"


@pytest.mark.parametrize("value", ["XYZ", "EURO", "EU", "", None, "€", "US$", " EUR", "ÉUR",
                                   "XTS", "XXX"])
def test_anything_else_names_the_field(value):
    with pytest.raises(InvalidArgument) as caught:
        currency_code(value, "budget_currency")
    assert [(e.field, e.message) for e in caught.value.field_errors] == [
        ("budget_currency", MESSAGE)]
    assert not is_currency_code(value)


def test_the_list_is_iso_4217():
    codes = iso_4217_codes()
    assert {"EUR", "USD", "GBP", "SEK", "INR"} <= codes
    assert all(len(code) == 3 and code.isupper() for code in codes)
    assert "XYZ" not in codes
