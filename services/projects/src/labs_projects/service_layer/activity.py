"""The activity feed: record every event of the org (consumers) and read it back (API), each
reader seeing what the visibility policy (labs_common.visibility) lets it see."""

from __future__ import annotations

import uuid
from dataclasses import replace

from labs.events.v1 import envelope_pb2
from labs.options.v1 import visibility_pb2 as options
from labs_common.errors import InvalidArgument
from labs_common.events.payloads import (
    field_uuid,
    find_descriptor,
    message_json,
    occurred_at,
    unpack,
)
from labs_common.visibility import (
    CHANGED_FIELDS,
    Reader,
    names_hidden_anywhere,
    owner_of,
    record_readers,
    redact_json,
)
from labs_projects.domain import commands, rules
from labs_projects.domain.activity import (
    Activity,
    entity_id_of,
    entity_type_of,
    project_id_of,
)
from labs_projects.service_layer.unit_of_work import ProjectsUnitOfWork

MAX_ENTITY_TYPE = 64
# A payload this build does not know cannot say who may read it: managers only, until it does.
UNKNOWN_PAYLOAD_READERS = options.RECORD_READERS_MANAGER


async def record_event(envelope: envelope_pb2.Envelope, uow: ProjectsUnitOfWork) -> None:
    """One immutable entry per event; platform-wide events (no org) belong to no feed."""
    if not envelope.org_id or not envelope.type:
        return
    payload = unpack(envelope)
    metadata = message_json(payload) if payload is not None else {}
    occurred = occurred_at(envelope)
    await uow.activities.add(
        Activity(
            id=uuid.UUID(envelope.id),
            org_id=uuid.UUID(envelope.org_id),
            source=envelope.source,
            action=envelope.type,
            entity_type=entity_type_of(envelope.type),
            entity_id=entity_id_of(envelope.type, metadata),
            project_id=project_id_of(envelope.project_id, metadata),
            user_id=field_uuid(envelope.actor_id),
            created_at=occurred,
            metadata=metadata,
            payload_type=payload.DESCRIPTOR.full_name if payload is not None else "",
            readers=(record_readers(payload.DESCRIPTOR) if payload is not None
                     else UNKNOWN_PAYLOAD_READERS),
            owner_id=field_uuid(owner_of(payload, envelope.actor_id)
                                if payload is not None else ""),
        )
    )


async def list_activities(
    command: commands.ListActivities, uow: ProjectsUnitOfWork
) -> list[Activity]:
    rules.check_storable(command.entity_type, "entity_type")
    if len(command.entity_type) > MAX_ENTITY_TYPE:
        raise InvalidArgument.on("entity_type", f"must be at most {MAX_ENTITY_TYPE} characters")
    reader = Reader.of(uow.caller)
    if reader.is_client and not reader.client_id:
        return []
    entries = await uow.activities.page(
        uow.caller.org_id,
        command.after,
        command.limit,
        reader=reader,
        project_id=command.project_id,
        entity_type=command.entity_type,
        user_id=command.user_id,
    )
    return [replace(entry, metadata=shown_metadata(entry, reader)) for entry in entries]


def shown_metadata(entry: Activity, reader: Reader) -> dict:
    descriptor = find_descriptor(entry.payload_type) if entry.payload_type else None
    if descriptor is not None:
        return redact_json(descriptor, entry.metadata, reader)
    # Recorded before rows kept their payload's type: every name the contract hides from this
    # reader anywhere goes, at any depth, and so do the names of hidden fields that changed.
    return without_names(entry.metadata, names_hidden_anywhere(reader))


def without_names(value, hidden: frozenset[str]):
    if isinstance(value, dict):
        return {k: (without_names(v, hidden) if k != CHANGED_FIELDS
                    else [name for name in v if name not in hidden])
                for k, v in value.items() if k not in hidden}
    if isinstance(value, list):
        return [without_names(item, hidden) for item in value]
    return value
