"""Feed rows recorded before they kept their payload's type are hidden by name: every field name
the contract hides from the reader anywhere goes, at any depth, from changed_fields too."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from labs_common.auth.roles import Role
from labs_common.visibility import Reader
from labs_projects.domain.activity import Activity
from labs_projects.service_layer.activity import shown_metadata


def legacy(metadata: dict) -> Activity:
    return Activity(id=uuid.uuid4(), org_id=uuid.uuid4(), source="projects",
                    action="project.updated", entity_type="project", entity_id="p",
                    project_id=None, user_id=None, created_at=datetime.now(UTC),
                    metadata=metadata)


def reader(role: Role) -> Reader:
    return Reader(role=role, user_id=str(uuid.uuid4()))


def test_cost_fields_go_at_any_depth_below_manager_and_billing_fields_stay():
    entry = legacy({"hours": 2.0, "billable_rate": "150.00", "cost_rate": "60.00",
                    "entry": {"cost_rate": "60.00", "notes": "Design review"},
                    "periods": [{"cost_rate": "55.00", "billing_rate": "140.00"}]})
    assert shown_metadata(entry, reader(Role.MEMBER)) == {
        "hours": 2.0, "billable_rate": "150.00", "entry": {"notes": "Design review"},
        "periods": [{"billing_rate": "140.00"}]}
    assert shown_metadata(entry, reader(Role.MANAGER)) == entry.metadata


def test_a_client_loses_internal_fields_and_their_names_in_changed_fields():
    entry = legacy({"project": {"name": "Site", "billing_rate_override": "210.00"},
                    "changed_fields": ["name", "billing_rate_override"]})
    assert shown_metadata(entry, reader(Role.CLIENT)) == {
        "project": {"name": "Site"}, "changed_fields": ["name"]}
    assert shown_metadata(entry, reader(Role.VIEWER)) == entry.metadata
