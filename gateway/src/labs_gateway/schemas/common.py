"""Field types shared by the request and response schemas.

Requests refuse unknown fields (422 naming each) and never coerce types ("1" is not a number, 1 is
not a string). Decimals (money, rates, hours) are parsed exactly: the gateway reads JSON numbers as
`Decimal` (labs_gateway.exact_json), never through a float.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from labs_common.currency import MESSAGE as CURRENCY_MESSAGE
from labs_common.currency import is_currency_code, iso_4217_codes

RoleName = Literal["owner", "admin", "manager", "member", "viewer", "client"]

# Deliberately loose (one @, a dot in the domain, no spaces): identity owns the real rules, and
# test or internal domains (*.test, *.local) must pass.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.match(value):
        raise ValueError("Not a valid email address.")
    return value


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError("Not a valid UUID.") from None


Email = Annotated[str, Field(max_length=254, examples=["ada@agency.example"]),
                  AfterValidator(_email)]
Password = Annotated[str, Field(min_length=10, max_length=1024,
                                description="At least 10 characters.")]
UuidStr = Annotated[str, Field(examples=["9b2f8c4e-1a0d-4f6e-8f0a-2f4c1d7e9a31"],
                               json_schema_extra={"format": "uuid"}),
                    AfterValidator(_uuid)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


def decimal_type(
    *,
    minimum: Decimal | int = 0,
    maximum: Decimal | int,
    places: int = 2,
    exclusive_minimum: bool = False,
    strings: bool = True,
    example: str = "150.00",
    description: str = "",
) -> Any:
    """A decimal field parsed exactly, within bounds, with at most `places` decimals.

    `strings`: a decimal string ("150.50") is accepted beside a JSON number (money and rates);
    without it only numbers are (hours: "8" is not a number). bool is never a number. The OpenAPI
    schema says the same, so a value it allows is one the server accepts."""
    low, high = Decimal(minimum), Decimal(maximum)
    step = Decimal(1).scaleb(-places)
    bound = f"more than {low}" if exclusive_minimum else f"at least {low}"
    rule = f"{bound}, at most {high}, with at most {places} decimals"

    def parse(value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            raise ValueError("must be a decimal string or a JSON number" if strings
                             else "must be a JSON number")
        if isinstance(value, str) and not strings:
            raise ValueError("must be a JSON number, not a string")
        try:
            # A float only comes from Python callers (HTTP bodies arrive as Decimal): its
            # shortest repr is the number that was written.
            parsed = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            raise ValueError(f'must be a decimal number, e.g. "{example}"') from None
        if not parsed.is_finite():
            raise ValueError("must be a finite number")
        # Bounds first: quantizing 1e308 would overflow the decimal context.
        if parsed < low or (exclusive_minimum and parsed == low) or parsed > high:
            raise ValueError(f"must be {rule}")
        if parsed != parsed.quantize(step, rounding=ROUND_DOWN):
            raise ValueError(f"must have at most {places} decimals")
        return parsed

    number: dict[str, Any] = {"type": "number", "maximum": float(high), "multipleOf": float(step)}
    number["exclusiveMinimum" if exclusive_minimum else "minimum"] = float(low)
    # Strings the pattern allows are inside the bounds too (fewer digits than the maximum has).
    digits = max(len(str(int(high))) - (1 if high == int(high) else 0), 1)
    not_zero = "(?!0+(\\.0+)?$)" if exclusive_minimum and low == 0 else ""
    text = {"type": "string", "pattern": rf"^{not_zero}\d{{1,{digits}}}(\.\d{{1,{places}}})?$",
            "examples": [example]}
    schema: dict[str, Any] = (
        {"anyOf": [text, number]} if strings else {**number, "examples": [float(example)]})
    schema["description"] = f"{description} {rule[0].upper()}{rule[1:]}.".strip()
    return Annotated[Decimal, PlainValidator(parse), WithJsonSchema(schema)]


def _iso_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("must be a date YYYY-MM-DD")


# A calendar day, "YYYY-MM-DD" (JSON has no date type; nothing else is taken for one).
IsoDate = Annotated[date, PlainValidator(_iso_date), WithJsonSchema(
    {"type": "string", "format": "date", "examples": ["2026-03-31"]})]


def _currency(value: str) -> str:
    if not is_currency_code(value):
        raise ValueError(CURRENCY_MESSAGE)
    return value.upper()


# ISO 4217, in any case (answered upper-cased); the OpenAPI lists the codes.
CurrencyCode = Annotated[str, AfterValidator(_currency), WithJsonSchema(
    {"type": "string", "enum": sorted(iso_4217_codes()), "examples": ["EUR"]})]


def _whole(value: Any) -> Any:
    """153.0 is a whole number in JSON (and JSON Schema's integer); bodies parse it as Decimal."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def whole_number(ge: int, le: int) -> Any:
    """A JSON integer from `ge` to `le`: strict like every body field, but 153.0 is one too.
    (The bounds come before the validator, or the OpenAPI says `ge` instead of `minimum`.)"""
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_whole)]


class RequestModel(BaseModel):
    """A request body. A field it does not know is a 422 naming it; every wrong field is named in
    one answer, with the rules between fields (`ORDERED`: an end before its start) checked even
    when other fields are wrong."""

    model_config = ConfigDict(strict=True, extra="forbid", populate_by_name=True)

    # (earlier field, later field, message): the later one must not come before the earlier.
    ORDERED: ClassVar[tuple[tuple[str, str, str], ...]] = ()
    # (field, other field, message): not both (the error names the second).
    EXCLUSIVE: ClassVar[tuple[tuple[str, str, str], ...]] = ()
    # (fields, message): at least one of them (the error names each of them).
    ONE_OF: ClassVar[tuple[tuple[tuple[str, ...], str], ...]] = ()

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem(cls, data: Any, handler: Any) -> Any:
        try:
            model = handler(data)
        except ValidationError as error:
            extra = cls._relation_problems(data, {e["loc"][0] for e in error.errors() if e["loc"]})
            if not extra:
                raise
            details = [InitErrorDetails(type=PydanticCustomError(e["type"], e["msg"]),
                                        loc=e["loc"], input=e["input"]) for e in error.errors()]
            raise ValidationError.from_exception_data(error.title, details + extra) from None
        problems = cls._relation_problems(data, set())
        if problems:
            raise ValidationError.from_exception_data(cls.__name__, problems)
        return model

    @classmethod
    def _relation_problems(cls, data: Any, wrong: set[Any]) -> list[InitErrorDetails]:
        if not isinstance(data, Mapping):
            return []
        problems = [
            InitErrorDetails(type=PydanticCustomError("value_error", message), loc=(other,),
                             input=data[other])
            for one, other, message in cls.EXCLUSIVE
            if data.get(one) is not None and data.get(other) is not None
        ]
        problems += [
            InitErrorDetails(type=PydanticCustomError("value_error", message), loc=(name,),
                             input=None)
            for names, message in cls.ONE_OF
            if all(data.get(name) is None for name in names)
            for name in names
        ]
        for first, then, message in cls.ORDERED:
            if first in wrong or then in wrong:
                continue
            start, end = _comparable(data.get(first)), _comparable(data.get(then))
            if start is not None and end is not None and type(start) is type(end) and end < start:
                problems.append(InitErrorDetails(
                    type=PydanticCustomError("value_error", message), loc=(then,),
                    input=data.get(then)))
        return problems


def _comparable(value: Any) -> date | datetime | None:
    """A date or an instant as given in a body, None when it is neither (reported elsewhere)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return _iso_date(value)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
