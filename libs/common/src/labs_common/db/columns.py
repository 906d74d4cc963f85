"""The column vocabulary of the services' tables (SQLAlchemy Core): the kinds of column every
service declares the same way, so that a table names its columns and says only what is particular
to each. Options (nullable, primary_key, server_default, ...) pass through to Column, whose own
defaults hold: a column is nullable unless it says `nullable=False`, as in the migrations.

The types are what the migrations create; a precision that differs between services (hours,
money summed over years) is the caller's `digits`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CHAR,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    Numeric,
    SmallInteger,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.schema import SchemaItem
from sqlalchemy.types import TypeEngine


def uuid(name: str, *extras: SchemaItem, **options: Any) -> Column:
    """An identifier, read as uuid.UUID; `extras` take a ForeignKey."""
    return Column(name, UUID(as_uuid=True), *extras, **options)


def text(name: str, **options: Any) -> Column:
    return Column(name, Text, **options)


def flag(name: str, **options: Any) -> Column:
    return Column(name, Boolean, **options)


def integer(name: str, **options: Any) -> Column:
    return Column(name, Integer, **options)


def small_integer(name: str, **options: Any) -> Column:
    return Column(name, SmallInteger, **options)


def big_integer(name: str, **options: Any) -> Column:
    return Column(name, BigInteger, **options)


def binary(name: str, **options: Any) -> Column:
    return Column(name, LargeBinary, **options)


def jsonb(name: str, **options: Any) -> Column:
    return Column(name, JSONB, **options)


def uuids(name: str, **options: Any) -> Column:
    """Identifiers as a PostgreSQL array (e.g. the time entries an invoice line bills)."""
    return Column(name, ARRAY(UUID(as_uuid=True)), **options)


def list_of(name: str, item: TypeEngine | type[TypeEngine], **options: Any) -> Column:
    """A PostgreSQL array of `item` (e.g. a person's skills)."""
    return Column(name, ARRAY(item), **options)


def day(name: str, **options: Any) -> Column:
    """A calendar date (no zone): a day worked, a due date, a range's first or last day."""
    return Column(name, Date, **options)


def timestamp(name: str, **options: Any) -> Column:
    """An instant: TIMESTAMP WITH TIME ZONE."""
    return Column(name, DateTime(timezone=True), **options)


def now() -> Any:
    """The server default of an instant set when the row is written: now()."""
    return func.now()


def created_at(**options: Any) -> Column:
    return timestamp("created_at", **options)


def updated_at(**options: Any) -> Column:
    return timestamp("updated_at", **options)


def timestamps(**options: Any) -> tuple[Column, Column]:
    """created_at and updated_at, side by side, each with `options`."""
    return created_at(**options), updated_at(**options)


def decimal(name: str, digits: int, scale: int, **options: Any) -> Column:
    """NUMERIC(digits, scale): what is neither money, hours nor a rate (a tax rate, a percent)."""
    return Column(name, Numeric(digits, scale), **options)


def money(name: str, *, digits: int = 14, **options: Any) -> Column:
    """An amount in a currency, to the cent: NUMERIC(digits, 2)."""
    return Column(name, Numeric(digits, 2), **options)


def rate(name: str, **options: Any) -> Column:
    """An amount per hour (billing or cost rate), to the cent: NUMERIC(12, 2)."""
    return Column(name, Numeric(12, 2), **options)


def hours(name: str, *, digits: int, **options: Any) -> Column:
    """A number of hours to the hundredth: NUMERIC(digits, 2); a day's, a week's or a total's."""
    return Column(name, Numeric(digits, 2), **options)


def currency(name: str = "currency", **options: Any) -> Column:
    """An ISO 4217 code: CHAR(3)."""
    return Column(name, CHAR(3), **options)
