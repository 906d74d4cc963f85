"""Decoding any service's event payload to JSON-ready data, by the type name in its Any.

Every generated `labs.*.v1` module is imported once so the descriptor pool knows the types of
services built after this one, as long as their protos are in this build."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any

from google.protobuf import json_format, message_factory, symbol_database

import labs
from labs.events.v1 import envelope_pb2


@cache
def load_event_types() -> None:
    for module in pkgutil.walk_packages(labs.__path__, prefix="labs."):
        if module.name.endswith("_pb2"):
            importlib.import_module(module.name)


def payload_dict(envelope: envelope_pb2.Envelope) -> dict[str, Any]:
    """The payload with proto field names; {} when its type is unknown to this build."""
    load_event_types()
    if not envelope.HasField("payload"):
        return {}
    try:
        descriptor = symbol_database.Default().pool.FindMessageTypeByName(
            envelope.payload.TypeName())
    except KeyError:
        return {}
    message = message_factory.GetMessageClass(descriptor)()
    if not envelope.payload.Unpack(message):
        return {}
    return json_format.MessageToDict(message, preserving_proto_field_name=True)
