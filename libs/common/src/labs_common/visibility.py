"""Who may see what: one policy, read from the options the contract declares
(`protos/labs/options/v1/visibility.proto`), applied wherever data leaves for a person or a system.

A message's `record_readers` says who may read it at all (an event and the object it carries); a
field's `field_readers` says who may read that field of an object they may otherwise read. A field
without an option is seen by whoever may see its object, so a new field needs no code here: only
cost and internal fields are marked, and this module hides them from everyone below their level,
at any depth (a Resource inside ResourceCreated, every Rate of a list).

Row rules that need data the message does not carry stay with their owner: which projects are a
client's (the projects service and the gateway's socket know), which entries a REST list returns
(the time service filters by the same rule: a member, their own).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from labs.options.v1 import visibility_pb2 as options
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role

FieldReaders = int
RecordReaders = int

# The owner of a record, for RECORD_READERS_OWNER_OR_MANAGER: the person it is about.
OWNER_FIELD = "user_id"
# The names of the fields an update changed, beside the object in every update event.
CHANGED_FIELDS = "changed_fields"
_SOMEONE_ELSE = "\0someone else"


@dataclass(frozen=True)
class Reader:
    """The person data is shown to. `financials_from` is the lowest role the organization's
    `financials_visible_to` setting opens margins and forecasts to (manager by default)."""

    role: Role
    user_id: str
    client_id: str = ""
    financials_from: Role = Role.MANAGER

    @classmethod
    def of(cls, principal: Principal, financials_from: Role = Role.MANAGER) -> Reader:
        return cls(
            role=principal.role,
            user_id=str(principal.user_id),
            client_id=str(principal.client_id or ""),
            financials_from=financials_from,
        )

    @property
    def is_client(self) -> bool:
        return self.role is Role.CLIENT

    def may_read_field(self, readers: FieldReaders) -> bool:
        if readers == options.FIELD_READERS_UNSPECIFIED:
            return True
        if self.is_client:
            return False
        if readers == options.FIELD_READERS_STAFF:
            return True
        if readers == options.FIELD_READERS_FINANCIALS:
            return self.role.at_least(self.financials_from)
        return self.role.at_least(Role.MANAGER)

    def may_read_record(self, readers: RecordReaders, owner_id: str) -> bool:
        """Whether the record may be shown; for a client-role reader, the caller still checks
        that it concerns one of its client's projects."""
        if readers == options.RECORD_READERS_UNSPECIFIED:
            return True
        if readers == options.RECORD_READERS_MANAGER_OR_CLIENT:
            return self.is_client or self.role.at_least(Role.MANAGER)
        if readers == options.RECORD_READERS_OWNER:
            return bool(owner_id) and owner_id == self.user_id
        if readers == options.RECORD_READERS_NOBODY or self.is_client:
            return False
        if readers == options.RECORD_READERS_STAFF:
            return True
        if self.role.at_least(Role.MANAGER):
            return True
        return (readers == options.RECORD_READERS_OWNER_OR_MANAGER and self.role is Role.MEMBER
                and bool(owner_id) and owner_id == self.user_id)

    def readable_records(self) -> tuple[frozenset[RecordReaders], frozenset[RecordReaders]]:
        """The record levels this reader reads whoever they belong to, and those it reads only
        when they are its own: the same rule as may_read_record, for a query to filter by."""
        levels = options.RecordReaders.values()
        anyones = frozenset(r for r in levels if self.may_read_record(r, _SOMEONE_ELSE))
        own = frozenset(r for r in levels
                        if r not in anyones and self.may_read_record(r, self.user_id))
        return anyones, own

    @property
    def view(self) -> frozenset[FieldReaders]:
        """The field levels this reader may not see: readers with the same view see the same
        fields, so one rendering serves them all."""
        return _hidden_levels(self.role, self.financials_from)


@cache
def _hidden_levels(role: Role, financials_from: Role) -> frozenset[FieldReaders]:
    probe = Reader(role=role, user_id="", financials_from=financials_from)
    return frozenset(level for level in options.FieldReaders.values()
                     if not probe.may_read_field(level))


def record_readers(descriptor: Descriptor) -> RecordReaders:
    return descriptor.GetOptions().Extensions[options.record_readers]


def field_readers(field: FieldDescriptor) -> FieldReaders:
    return field.GetOptions().Extensions[options.field_readers]


def owner_of(message: Message | dict[str, Any], actor_id: str = "") -> str:
    """The person a record is about: its `user_id`, else who caused it."""
    if isinstance(message, Message):
        has_owner = OWNER_FIELD in message.DESCRIPTOR.fields_by_name
        owner = getattr(message, OWNER_FIELD) if has_owner else ""
    else:
        owner = message.get(OWNER_FIELD) or ""
    return str(owner) or actor_id


def may_read(message: Message, reader: Reader, actor_id: str = "") -> bool:
    return reader.may_read_record(record_readers(message.DESCRIPTOR), owner_of(message, actor_id))


def redact(message: Message, reader: Reader) -> Message:
    """`message` without the fields `reader` may not see: the message itself when it shows
    everything to this reader, else a redacted copy (the original is never changed)."""
    if not _hides(message.DESCRIPTOR, reader.view):
        return message
    copy = type(message)()
    copy.CopyFrom(message)
    _clear_hidden(copy, reader.view)
    return copy


def hidden_fields(descriptor: Descriptor, reader: Reader) -> frozenset[str]:
    """Names of the fields of `descriptor` itself that `reader` may not see (an API object
    leaves them out rather than showing them empty)."""
    return _hidden_names(descriptor, reader.view)


@cache
def _hidden_names(descriptor: Descriptor, hidden: frozenset[FieldReaders]) -> frozenset[str]:
    return frozenset(f.name for f in descriptor.fields if field_readers(f) in hidden)


def names_hidden_anywhere(reader: Reader) -> frozenset[str]:
    """Every field name some message of the contract hides from `reader`: for JSON whose message
    type is not known (feed rows recorded before they kept it), hiding by name is the safe side."""
    return _names_hidden_anywhere(reader.view)


@cache
def _names_hidden_anywhere(hidden: frozenset[FieldReaders]) -> frozenset[str]:
    from labs_common.events.payloads import every_message  # the pool, loaded once

    return frozenset(field.name for descriptor in every_message()
                     for field in descriptor.fields if field_readers(field) in hidden)


def redact_json(descriptor: Descriptor, data: dict[str, Any], reader: Reader) -> dict[str, Any]:
    """The same for a message already rendered as JSON with its proto field names (the activity
    feed keeps payloads so): keys the reader may not see are left out, at any depth."""
    if not _hides(descriptor, reader.view):
        return data
    return _json_without(descriptor, data, reader.view)


@cache
def _hides(descriptor: Descriptor, hidden: frozenset[FieldReaders]) -> bool:
    """Whether some field of `descriptor`, or of a message inside it, is hidden at `hidden`."""
    return bool(hidden) and any(
        field_readers(field) in hidden
        or (_is_nested(field) and _hides(field.message_type, hidden))
        for field in descriptor.fields
    )


def _is_nested(field: FieldDescriptor) -> bool:
    return (field.type == FieldDescriptor.TYPE_MESSAGE
            and not field.message_type.GetOptions().map_entry
            and not field.message_type.full_name.startswith("google.protobuf."))


def _unsaid_changes(descriptor: Descriptor, hidden: frozenset[FieldReaders]) -> frozenset[str]:
    """Field names a `changed_fields` list (every service's update events carry one) must not
    name: that a hidden field changed is itself hidden."""
    return frozenset().union(*(
        _hidden_names(field.message_type, hidden) for field in descriptor.fields
        if _is_nested(field))) | _hidden_names(descriptor, hidden)


def _clear_hidden(message: Message, hidden: frozenset[FieldReaders]) -> None:
    for field in message.DESCRIPTOR.fields:
        if field_readers(field) in hidden:
            message.ClearField(field.name)
        elif field.name == CHANGED_FIELDS and field.is_repeated:
            unsaid = _unsaid_changes(message.DESCRIPTOR, hidden)
            kept = [name for name in getattr(message, field.name) if name not in unsaid]
            message.ClearField(field.name)
            getattr(message, field.name).extend(kept)
        elif _is_nested(field) and _hides(field.message_type, hidden):
            if field.is_repeated:
                for item in getattr(message, field.name):
                    _clear_hidden(item, hidden)
            elif message.HasField(field.name):
                _clear_hidden(getattr(message, field.name), hidden)


def _json_without(descriptor: Descriptor, data: dict[str, Any],
                  hidden: frozenset[FieldReaders]) -> dict[str, Any]:
    fields = descriptor.fields_by_name
    shown: dict[str, Any] = {}
    for key, value in data.items():
        field = fields.get(key)
        if field is None:
            shown[key] = value
        elif field_readers(field) in hidden:
            continue
        elif key == CHANGED_FIELDS and isinstance(value, list):
            unsaid = _unsaid_changes(descriptor, hidden)
            shown[key] = [name for name in value if name not in unsaid]
        elif _is_nested(field) and _hides(field.message_type, hidden):
            nested = field.message_type
            shown[key] = ([_json_without(nested, item, hidden) if isinstance(item, dict) else item
                           for item in value] if isinstance(value, list)
                          else _json_without(nested, value, hidden) if isinstance(value, dict)
                          else value)
        else:
            shown[key] = value
    return shown
