"""Links as protobuf messages (the gRPC API and the link events)."""

from __future__ import annotations

from labs.integrations.v1 import integrations_service_pb2 as pb
from labs_common.protobuf import message_of
from labs_integrations.domain.links import Link


def link(value: Link) -> pb.Link:
    # The platform's last change is the API's `updated_at` (a link's own rows change when it is
    # read again, which is no news to its reader).
    return message_of(pb.Link, value, updated_at=value.changed_at)
