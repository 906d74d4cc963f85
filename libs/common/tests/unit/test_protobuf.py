"""The descriptor-driven proto mapping: domain objects and enums to messages by field name."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs_common.auth.roles import Role
from labs_common.errors import InvalidArgument
from labs_common.protobuf import EnumMapping, enum_text, message_of


@dataclass
class _Sprint:
    id: uuid.UUID
    name: str
    start_date: date
    total_points: int
    goal: str | None = None
    created_at: datetime | None = None


def test_fields_map_by_name_with_ids_and_dates_as_text_and_none_left_unset():
    sprint = _Sprint(uuid.uuid4(), "One", date(2026, 1, 5), 8,
                     created_at=datetime(2026, 1, 1, tzinfo=UTC))
    message = message_of(projects_pb.Sprint, sprint)
    assert message.id == str(sprint.id) and message.start_date == "2026-01-05"
    assert message.total_points == 8 and message.goal == ""
    assert message.created_at.ToDatetime(tzinfo=UTC) == sprint.created_at
    assert not message.HasField("updated_at")


def test_overrides_win_and_decimals_read_as_text():
    message = message_of(projects_pb.Project, object(), budget_total=Decimal("10.50"))
    assert message.budget_total == "10.50"


def test_a_domain_enum_maps_to_the_proto_value_of_the_same_name_and_back():
    roles = EnumMapping(identity_pb.Role, Role)
    assert roles.to_proto(Role.MANAGER) == identity_pb.ROLE_MANAGER
    assert roles.get(identity_pb.ROLE_CLIENT) is Role.CLIENT
    assert roles.get(identity_pb.ROLE_UNSPECIFIED) is None
    with pytest.raises(InvalidArgument) as refused:
        roles.parse(identity_pb.ROLE_UNSPECIFIED, "role")
    assert refused.value.field_errors[0].field == "role"


def test_an_enum_field_reads_as_its_lowercase_name_without_the_prefix():
    field = projects_pb.Project.DESCRIPTOR.fields_by_name["status"]
    assert enum_text(field, projects_pb.PROJECT_STATUS_ON_HOLD) == "on_hold"
    assert enum_text(field, projects_pb.PROJECT_STATUS_UNSPECIFIED) == ""
