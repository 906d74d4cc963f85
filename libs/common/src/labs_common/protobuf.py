"""Conversions every service's proto mapping needs, driven by the message descriptors instead of
a hand table per message: a domain object as a message (`message_of`), a domain enum as a proto
enum and back (`EnumMapping`), a datetime as a Timestamp."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, Generic, TypeVar

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from labs_common.errors import InvalidArgument

M = TypeVar("M", bound=Message)
E = TypeVar("E", bound=Enum)


def timestamp(value: datetime | None) -> Timestamp | None:
    """`value` as a protobuf Timestamp; None (the field left unset) for None."""
    if value is None:
        return None
    return timestamp_of(value)


def enum_prefix(descriptor: EnumDescriptor) -> str:
    """ROLE_ for ROLE_UNSPECIFIED, ROLE_OWNER, ... (the zero value names the prefix)."""
    return descriptor.values_by_number[0].name.removesuffix("UNSPECIFIED")


def enum_api_name(descriptor: EnumDescriptor, name: str) -> str:
    """A value's name as the API writes it: without the enum's prefix, in lower case
    (PROJECT_STATUS_ON_HOLD → "on_hold")."""
    return name.removeprefix(enum_prefix(descriptor)).lower()


class EnumMapping(Generic[E]):
    """A domain enum and a proto enum whose values share names (Role.OWNER ⇄ ROLE_OWNER)."""

    def __init__(self, proto_enum: Any, domain_enum: type[E]) -> None:
        descriptor: EnumDescriptor = proto_enum.DESCRIPTOR
        prefix = enum_prefix(descriptor)
        self._domain = domain_enum
        self._to_proto = {m: descriptor.values_by_name[prefix + m.name].number for m in domain_enum}
        self._from_proto = {number: member for member, number in self._to_proto.items()}

    def to_proto(self, member: E) -> int:
        return self._to_proto[member]

    def get(self, number: int) -> E | None:
        """The member a proto value names; None for UNSPECIFIED (or a value we do not know)."""
        return self._from_proto.get(number)

    def parse(self, number: int, field: str) -> E:
        """The member a request's enum field names; anything else is a 422 naming the field."""
        member = self._from_proto.get(number)
        if member is None:
            names = ", ".join(str(m.value) for m in self._domain)
            raise InvalidArgument.on(field, f"must be one of {names}")
        return member


def enum_text(field: FieldDescriptor, number: int) -> str:
    """An enum field's value as the API writes it: its name without the enum's prefix, in
    lower case (PROJECT_STATUS_ON_HOLD → "on_hold"); "" for UNSPECIFIED."""
    if number == 0:
        return ""
    return enum_api_name(field.enum_type, field.enum_type.values_by_number[number].name)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def timestamp_of(value: datetime) -> Timestamp:
    """A Timestamp of `value` (a naive one read as UTC, as Timestamp.FromDatetime does),
    computed in C arithmetic rather than FromDatetime's Python."""
    delta = (value if value.tzinfo is not None else value.replace(tzinfo=UTC)) - _EPOCH
    return Timestamp(seconds=delta.days * 86_400 + delta.seconds,
                     nanos=delta.microseconds * 1_000)


@cache
def _enum_numbers(descriptor: EnumDescriptor) -> dict[str, int]:
    """A domain member's name → the proto value of that name (ROLE_ + OWNER → 3)."""
    prefix = enum_prefix(descriptor)
    return {value.name.removeprefix(prefix): value.number for value in descriptor.values}


def _enum_number(field: FieldDescriptor, value: Enum) -> int:
    return _enum_numbers(field.enum_type)[value.name]


def _scalar(field: FieldDescriptor, value: Any) -> Any:
    if field.enum_type is not None:
        return _enum_number(field, value) if isinstance(value, Enum) else value
    if field.type == FieldDescriptor.TYPE_STRING:
        if isinstance(value, str):
            return value
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, uuid.UUID | Decimal):
            return str(value)
        if isinstance(value, Enum):
            return str(value.value)
        raise TypeError(f"{field.full_name}: no text for {type(value).__name__}")
    return value


# How message_of fills a field: at construction (a scalar or a repeated field) or after it (a
# message field, set from a message, a datetime or a mapping).
_SCALAR, _REPEATED, _MESSAGE = range(3)


@cache
def _plan(descriptor: Descriptor) -> tuple[tuple[str, int, FieldDescriptor], ...]:
    """The fields of a message type and how each is filled, worked out once per type: a
    service maps the same few types on every call."""
    def kind(field: FieldDescriptor) -> int:
        if field.is_repeated:
            return _REPEATED
        return _MESSAGE if field.message_type is not None else _SCALAR
    return tuple((field.name, kind(field), field) for field in descriptor.fields)


def message_of(message_type: type[M], value: Any, **overrides: Any) -> M:
    """The message of `message_type` with every field that `value` has an attribute of the same
    name for: ids, decimals and dates as text, datetimes as Timestamps, domain enums as the proto
    enum value of the same name, dicts as Structs; None leaves a field unset. `overrides` give the
    fields that need more (or other) than that."""
    scalars: dict[str, Any] = {}
    later: list[tuple[str, FieldDescriptor, Any]] = []
    for name, kind, field in _plan(message_type.DESCRIPTOR):
        if name in overrides:
            given = overrides[name]
        else:
            given = getattr(value, name, None)
        if given is None:
            continue
        if kind == _SCALAR:
            scalars[name] = _scalar(field, given)
        elif kind == _REPEATED:
            scalars[name] = [_scalar(field, item) for item in given] \
                if field.message_type is None else given
        elif isinstance(given, datetime):
            scalars[name] = timestamp_of(given)
        elif isinstance(given, Message):
            scalars[name] = given
        else:
            later.append((name, field, given))
    message = message_type(**scalars)
    for name, field, given in later:
        if not isinstance(given, Mapping):
            raise TypeError(f"{field.full_name}: cannot set from {type(given).__name__}")
        getattr(message, name).update(given)
    return message
