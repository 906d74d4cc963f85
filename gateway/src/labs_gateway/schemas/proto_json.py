"""Protobuf messages ⇄ the API's JSON, by one set of rules read from the descriptors and the
pydantic models, instead of a mapper per area.

Out (a message → its XPublic model): proto field names; enums as lowercase names without their
buf prefix (PROJECT_STATUS_ACTIVE → "active", the zero value → null); Timestamps as UTC datetimes
(unset → null), which JSON writes as RFC 3339; Structs and maps of scalars as objects; decimal
strings stay strings, but a string the model types as a number (hours) becomes a JSON number and
one typed as a date a date ("YYYY-MM-DD"); an empty string becomes null where the model allows
null. A field the reader may not see (labs_common.visibility) is left unset, and a `PublicModel`
leaves unset fields out.

In (a validated request body → a message): the same rules backwards. None clears a field: it is
left unset, except a proto3 `optional` string, which is set empty (given, and cleared).

The few fields no rule covers (weekdays are ISO numbers in protos, names in JSON...) are in
`CODECS`, by the proto field's full name.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

from google.protobuf import (
    field_mask_pb2,
    json_format,
    message_factory,
    struct_pb2,
    timestamp_pb2,
)
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message
from pydantic import BaseModel, SerializerFunctionWrapHandler, model_serializer

from labs.time.v1 import time_service_pb2 as time_pb
from labs_common.errors import InvalidArgument
from labs_common.protobuf import enum_api_name, enum_prefix
from labs_common.visibility import Reader, hidden_fields

Model = TypeVar("Model", bound=BaseModel)
M = TypeVar("M", bound=Message)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class PublicModel(BaseModel):
    """An object as the API shows it. Every field the mapping knows is set; one left unset is a
    field the reader may not see, and it is absent from the JSON rather than null. Fields that
    may be hidden so have a default, which is what makes OpenAPI show them as optional."""

    # No return annotation: with one, OpenAPI would describe the object by it (as "any").
    @model_serializer(mode="wrap")
    def _without_unset(self, handler: SerializerFunctionWrapHandler):
        data = handler(self)
        if isinstance(data, dict):
            for name in type(self).model_fields.keys() - self.model_fields_set:
                data.pop(name, None)
        return data


# Enums


def enum_name(enum: EnumDescriptor, number: int) -> str | None:
    """The API's name of an enum value: lowercase, without its prefix; None for the zero value."""
    if number == 0 or number not in enum.values_by_number:
        return None
    return enum_api_name(enum, enum.values_by_number[number].name)


def enum_number(enum: EnumDescriptor, name: str | None) -> int:
    """The proto number of an API enum name (the models allow only known names); 0 for None."""
    if name is None:
        return 0
    return enum.values_by_name[enum_prefix(enum) + name.upper()].number


# Scalars


def timestamp(value: timestamp_pb2.Timestamp) -> datetime | None:
    """A proto Timestamp as an aware UTC datetime; unset (the epoch) means absent."""
    if value.seconds == 0 and value.nanos == 0:
        return None
    return value.ToDatetime(tzinfo=UTC)


def decimal_text(value: str | int | float | Decimal) -> str:
    """A JSON number as the decimal string services parse: fixed-point, shortest repr for floats
    (1.1 stays "1.1", 40.0 is "40.0", never "4E+1")."""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")  # exactly the digits sent: 1E+2 is "100", 150.50 "150.50"
    return str(value)


def instant(value: str, field: str) -> timestamp_pb2.Timestamp:
    """An RFC 3339 instant with its offset (or Z) as a Timestamp; 422 naming the field."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as error:
        raise InvalidArgument.on(field, "must be an RFC 3339 instant") from error
    if parsed.tzinfo is None:
        raise InvalidArgument.on(field, "must carry a UTC offset, e.g. 2026-03-31T09:00:00Z")
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(parsed)
    return stamp


def struct(values: Mapping[str, Any], field: str) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    try:
        message.update(_json_numbers(values))
    except (TypeError, ValueError) as error:
        raise InvalidArgument.on(field, f"Not representable as JSON: {error}") from error
    return message


def _json_numbers(value: Any) -> Any:
    """Free-form JSON (settings) as Struct holds it: bodies parse numbers as Decimal, and a
    Struct number is a double (a setting that needs exact money is a decimal string)."""
    if isinstance(value, Decimal):
        if value.is_finite() and value == value.to_integral_value() and abs(value) < 2**53:
            return int(value)
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{value} is out of range for a JSON number")
        return number
    if isinstance(value, Mapping):
        return {key: _json_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_numbers(item) for item in value]
    return value


# Fields no general rule covers: proto full name → (message value → JSON, JSON → message value).
CODECS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "labs.capacity.v1.Resource.working_days": (
        lambda days: [WEEKDAYS[d - 1] for d in days],
        lambda names: [WEEKDAYS.index(name) + 1 for name in names],
    ),
    # Entries without rates say so rather than showing an empty source.
    "labs.time.v1.TimeEntry.rate_source": (lambda v: v or "none", lambda v: v),
    "labs.time.v1.TimeEntry.status": (
        lambda v: enum_name(time_pb.EntryStatus.DESCRIPTOR, v) or "draft",
        lambda v: enum_number(time_pb.EntryStatus.DESCRIPTOR, v),
    ),
    # A job still receiving its file is queued as far as a client can tell.
    "labs.time.v1.ImportJob.status": (lambda v: "queued" if v == "uploading" else v, lambda v: v),
}


# Out: message → model


def to_public(model: type[Model], message: Message, reader: Reader | None = None,
              **computed: Any) -> Model:
    """`message` as `model`; fields `reader` may not see are left out (None: everything shows).
    `computed` gives model fields the message has no field for."""
    hidden = hidden_fields(message.DESCRIPTOR, reader) if reader is not None else frozenset()
    values = dict(computed)
    for name, convert in _plan(model, message.DESCRIPTOR):
        if name not in hidden and name not in values:
            values[name] = convert(message, reader)
    return model(**values)


Converter = Callable[[Message, Reader | None], Any]


@cache
def _plan(model: type[BaseModel], descriptor: Descriptor) -> tuple[tuple[str, Converter], ...]:
    plan = []
    for name, info in model.model_fields.items():
        field = descriptor.fields_by_name.get(name)
        if field is not None:
            plan.append((name, _converter(field, info.annotation)))
    return tuple(plan)


def _converter(field: FieldDescriptor, annotation: Any) -> Converter:
    name = field.name
    if field.full_name in CODECS:
        out = CODECS[field.full_name][0]
        return lambda m, _r: out(getattr(m, name))
    nullable, kinds = _kinds(annotation)
    if _is_map(field):
        # A map of scalars ("GBP": "1.17") as a JSON object.
        return lambda m, _r: dict(getattr(m, name))
    if _is_repeated(field):
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            item_model = _model_in(typing.get_args(_without_none(annotation))[0])
            return lambda m, r: [to_public(item_model, item, r) for item in getattr(m, name)]
        if field.type == FieldDescriptor.TYPE_ENUM:
            return lambda m, _r: [enum_name(field.enum_type, v) for v in getattr(m, name)]
        return lambda m, _r: list(getattr(m, name))
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        full_name = field.message_type.full_name
        if full_name == "google.protobuf.Timestamp":
            return lambda m, _r: timestamp(getattr(m, name))
        if full_name == "google.protobuf.Struct":
            return lambda m, _r: json_format.MessageToDict(getattr(m, name))
        nested = _model_in(annotation)
        if nullable:
            return lambda m, r: to_public(nested, getattr(m, name), r) if m.HasField(name) else None
        return lambda m, r: to_public(nested, getattr(m, name), r)
    if field.type == FieldDescriptor.TYPE_ENUM:
        return lambda m, _r: enum_name(field.enum_type, getattr(m, name))
    if field.type == FieldDescriptor.TYPE_STRING:
        if float in kinds:
            empty = None if nullable else 0.0
            return lambda m, _r: float(v) if (v := getattr(m, name)) else empty
        if date in kinds:
            return lambda m, _r: date.fromisoformat(v) if (v := getattr(m, name)) else None
        if nullable:
            return lambda m, _r: getattr(m, name) or None
    if field.has_presence and nullable:
        return lambda m, _r: getattr(m, name) if m.HasField(name) else None
    return lambda m, _r: getattr(m, name)


def _is_repeated(field: FieldDescriptor) -> bool:
    return field.is_repeated


def _is_map(field: FieldDescriptor) -> bool:
    return (field.type == FieldDescriptor.TYPE_MESSAGE
            and field.message_type.GetOptions().map_entry
            and field.message_type.fields_by_name["value"].type != FieldDescriptor.TYPE_MESSAGE)


def _kinds(annotation: Any) -> tuple[bool, set[Any]]:
    """Whether the annotation allows None, and the other types it allows."""
    args = typing.get_args(annotation) if _is_union(annotation) else (annotation,)
    return type(None) in args, {a for a in args if a is not type(None)}


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _without_none(annotation: Any) -> Any:
    _, kinds = _kinds(annotation)
    return next(iter(kinds)) if len(kinds) == 1 else annotation


def _model_in(annotation: Any) -> type[BaseModel]:
    model = _without_none(annotation)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise TypeError(f"{annotation!r} is not a model: no rule maps a message to it")
    return model


# In: request values → message


def to_message(message_type: type[M], values: Mapping[str, Any], *, at: str = "") -> M:
    """A `message_type` from API values named like its fields (a body's `model_dump()`, path
    parameters...). Values are already validated; a bad instant is a 422 naming its field."""
    message = message_type()
    fill(message, values, at=at)
    return message


def fill(message: Message, values: Mapping[str, Any], *, at: str = "") -> None:
    fields = message.DESCRIPTOR.fields_by_name
    for name, value in values.items():
        field = fields[name]
        path = f"{at}{name}"
        if field.full_name in CODECS and value is not None:
            value = CODECS[field.full_name][1](value)
        if value is None:
            _clear(message, field)
        elif _is_repeated(field):
            target = getattr(message, name)
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                for i, item in enumerate(value):
                    fill(target.add(), item, at=f"{path}[{i}].")
            else:
                target.extend(_scalar(field, v, path) for v in value)
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            getattr(message, name).CopyFrom(_message_value(field, value, path, at))
        else:
            setattr(message, name, _scalar(field, value, path))


def _clear(message: Message, field: FieldDescriptor) -> None:
    if field.has_presence and field.type == FieldDescriptor.TYPE_STRING:
        setattr(message, field.name, "")  # present and empty: "clear it" (task_id: null)
    else:
        message.ClearField(field.name)


def _message_value(field: FieldDescriptor, value: Any, path: str, at: str) -> Message:
    full_name = field.message_type.full_name
    if full_name == "google.protobuf.Timestamp":
        return instant(value, path) if isinstance(value, str) else _stamp(value)
    if full_name == "google.protobuf.Struct":
        return struct(value, path)
    if full_name == "google.protobuf.FieldMask":
        return field_mask_pb2.FieldMask(paths=list(value))
    # A message wrapping the body's fields (CreateTaskRequest.task) is no part of their names.
    nested = message_factory.GetMessageClass(field.message_type)()
    fill(nested, value, at=at)
    return nested


def _stamp(value: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(value)
    return stamp


def _scalar(field: FieldDescriptor, value: Any, path: str) -> Any:
    if field.type == FieldDescriptor.TYPE_ENUM:
        return enum_number(field.enum_type, value) if isinstance(value, str) else value
    if field.type == FieldDescriptor.TYPE_STRING:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return decimal_text(value)
        return str(value)
    return value
