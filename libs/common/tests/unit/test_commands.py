"""labs_common.commands: a Command subclass is a frozen dataclass; ById commands stay apart."""

import dataclasses
import uuid

import pytest

from labs_common.commands import ById, Command


class Rename(Command):
    name: str
    force: bool = False


class GetThing(ById):
    pass


class DeleteThing(ById):
    pass


def test_a_command_is_a_frozen_dataclass_of_its_fields():
    command = Rename("new")
    assert command == Rename(name="new", force=False)
    assert [f.name for f in dataclasses.fields(command)] == ["name", "force"]
    assert repr(command) == "Rename(name='new', force=False)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        command.name = "other"  # type: ignore[misc]


def test_commands_by_id_are_equal_only_to_their_own_type():
    some_id = uuid.uuid4()
    assert GetThing(some_id).id == some_id
    assert GetThing(some_id) == GetThing(some_id)
    assert GetThing(some_id) != DeleteThing(some_id)
    assert repr(GetThing(some_id)) == f"GetThing(id={some_id!r})"
