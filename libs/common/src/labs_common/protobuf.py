"""Conversions every service's proto mapping needs, driven by the message descriptors instead of
a hand table per message: a domain object as a message (`message_of`), a domain enum as a proto
enum and back (`EnumMapping`), a datetime as a Timestamp."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, TypeVar

from google.protobuf.descriptor import EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from labs_common.errors import InvalidArgument

M = TypeVar("M", bound=Message)
E = TypeVar("E", bound=Enum)


def timestamp(value: datetime | None) -> Timestamp | None:
    """`value` as a protobuf Timestamp; None (the field left unset) for None."""
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


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


def _enum_number(field: FieldDescriptor, value: Enum) -> int:
    return field.enum_type.values_by_name[enum_prefix(field.enum_type) + value.name].number


def _scalar(field: FieldDescriptor, value: Any) -> Any:
    if field.enum_type is not None:
        return _enum_number(field, value) if isinstance(value, Enum) else value
    if field.type == FieldDescriptor.TYPE_STRING:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, uuid.UUID | Decimal | str):
            return str(value)
        if isinstance(value, Enum):
            return str(value.value)
        raise TypeError(f"{field.full_name}: no text for {type(value).__name__}")
    return value


def message_of(message_type: type[M], value: Any, **overrides: Any) -> M:
    """The message of `message_type` with every field that `value` has an attribute of the same
    name for: ids, decimals and dates as text, datetimes as Timestamps, domain enums as the proto
    enum value of the same name, dicts as Structs; None leaves a field unset. `overrides` give the
    fields that need more (or other) than that."""
    message = message_type()
    for field in message_type.DESCRIPTOR.fields:
        if field.name in overrides:
            given = overrides[field.name]
        elif hasattr(value, field.name):
            given = getattr(value, field.name)
        else:
            continue
        if given is None:
            continue
        if field.message_type is not None and not field.is_repeated:
            target = getattr(message, field.name)
            if isinstance(given, Message):
                target.CopyFrom(given)
            elif isinstance(given, datetime):
                target.FromDatetime(given)
            elif isinstance(given, Mapping):
                target.update(given)
            else:
                raise TypeError(f"{field.full_name}: cannot set from {type(given).__name__}")
        elif field.is_repeated:
            getattr(message, field.name).extend(_scalar(field, item) for item in given)
        else:
            setattr(message, field.name, _scalar(field, given))
    return message
