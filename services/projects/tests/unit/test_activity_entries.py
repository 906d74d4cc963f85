"""Which object an event is about, by the payload conventions every service follows."""

from __future__ import annotations

import uuid

from labs_projects.domain.activity import entity_id_of, entity_type_of, project_id_of


def test_the_aggregate_message_names_the_entity():
    assert entity_type_of("task.created") == "task"
    assert entity_id_of("task.created", {"task": {"id": "t1"}}) == "t1"


def test_an_aggregate_id_field_or_a_top_level_id_names_the_entity():
    assert entity_id_of("task.deleted", {"task_id": "t2", "project_id": "p"}) == "t2"
    assert entity_id_of("member.role_changed", {"user_id": "u", "id": "m1"}) == "m1"


def test_otherwise_the_first_nested_object_with_an_id():
    assert entity_id_of("member.joined", {"member": {"user": {"id": "u"}}}) == ""
    assert entity_id_of("entry.created", {"time_entry": {"id": "e1"}}) == "e1"
    assert entity_id_of("thing.happened", {}) == ""


def test_the_project_comes_from_the_envelope_or_the_payload():
    project = uuid.uuid4()
    assert project_id_of(str(project), {}) == project
    assert project_id_of("", {"project_id": str(project)}) == project
    assert project_id_of("", {"project_id": "not-a-uuid"}) is None
