"""Integrations' domain objects as protobuf messages (the gRPC API and the event payloads)."""

from __future__ import annotations

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs_common.protobuf import EnumMapping, message_of
from labs_integrations.domain.connections import (
    Connection,
    ConnectionStatus,
    Platform,
    SyncLog,
    SyncStatus,
)

PLATFORMS = EnumMapping(pb.Platform, Platform)
CONNECTION_STATUSES = EnumMapping(pb.ConnectionStatus, ConnectionStatus)
SYNC_STATUSES = EnumMapping(pb.SyncStatus, SyncStatus)


def connection(value: Connection) -> pb.Connection:
    return message_of(pb.Connection, value)


def sync_log(value: SyncLog) -> pb.SyncLog:
    return message_of(pb.SyncLog, value,
                      error_message="; ".join(value.errors)[:2000])
