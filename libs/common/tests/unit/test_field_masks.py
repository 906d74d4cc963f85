"""A request naming a field that cannot be set is refused with every such field named, sorted,
on the mask; one naming only settable fields passes."""

from __future__ import annotations

import pytest

from labs_common.errors import InvalidArgument
from labs_common.field_masks import refuse_unsettable


def test_settable_fields_pass():
    refuse_unsettable(["name", "goal"], frozenset({"name", "goal", "status"}))
    refuse_unsettable([], {"name"})


def test_every_other_field_is_named_sorted_on_the_mask():
    with pytest.raises(InvalidArgument) as caught:
        refuse_unsettable(["org_id", "name", "id", "id"], {"name"})
    assert [(e.field, e.message) for e in caught.value.field_errors] == [
        ("update_mask", "cannot set id, org_id")]


def test_the_field_can_be_another_than_the_mask():
    with pytest.raises(InvalidArgument) as caught:
        refuse_unsettable(["secret"], (), field="task")
    assert caught.value.field_errors[0].field == "task"
