"""An organization's settings are bounded, so organization.updated always fits on the stream."""

from __future__ import annotations

import pytest

from labs_common.auth.roles import Role
from labs_common.errors import InvalidArgument
from labs_common.testing.fakes import a_caller
from labs_identity.domain import commands
from labs_identity.domain.model import Organization
from labs_identity.domain.rules import MAX_SETTINGS_BYTES
from labs_identity.service_layer import organizations

from .conftest import FakeIdentityUnitOfWork


def _org_uow() -> FakeIdentityUnitOfWork:
    uow = FakeIdentityUnitOfWork(caller=a_caller(Role.OWNER))
    org_id = uow.caller.org_id
    uow.organizations.rows[org_id] = Organization(id=org_id, name="Acme")
    return uow


def _patch(**changes) -> commands.UpdateOrganization:
    return commands.UpdateOrganization(changes=changes, fields=list(changes), if_match=[])


async def test_settings_that_fit_are_merged_and_announced():
    uow = _org_uow()
    await organizations.update_organization(_patch(settings={"a": "x" * 1000}), uow)
    updated = await organizations.update_organization(_patch(settings={"b": 1}), uow)
    assert updated.settings == {"a": "x" * 1000, "b": 1}
    assert uow.outbox.types() == ["organization.updated", "organization.updated"]


async def test_one_huge_settings_patch_is_refused_naming_settings():
    uow = _org_uow()
    with pytest.raises(InvalidArgument) as caught:
        await organizations.update_organization(_patch(settings={"blob": "x" * 900_000}), uow)
    assert [f.field for f in caught.value.field_errors] == ["settings"]
    assert uow.outbox.events == []


async def test_patches_that_fit_alone_are_refused_once_their_merge_grows_too_big():
    uow = _org_uow()
    half = "x" * (MAX_SETTINGS_BYTES // 2)
    await organizations.update_organization(_patch(settings={"first": half}), uow)
    with pytest.raises(InvalidArgument) as caught:
        await organizations.update_organization(_patch(settings={"second": half}), uow)
    assert [f.field for f in caught.value.field_errors] == ["settings"]
    stored = await uow.organizations.get(uow.caller.org_id)
    assert set(stored.settings) == {"first"} and len(uow.outbox.events) == 1


async def test_nul_characters_and_other_wrong_fields_are_named_together():
    uow = _org_uow()
    with pytest.raises(InvalidArgument) as caught:
        await organizations.update_organization(
            _patch(name="", settings={"note": "a\x00b"}), uow)
    assert sorted(f.field for f in caught.value.field_errors) == ["name", "settings"]
    assert uow.outbox.events == []


async def test_a_rounding_rule_or_audience_labs_cannot_use_is_refused_field_by_field():
    uow = _org_uow()
    project = "3f2b8c1e-0000-4000-8000-000000000001"
    with pytest.raises(InvalidArgument) as caught:
        await organizations.update_organization(_patch(settings={
            "time_rounding": {"unit_minutes": 7.5, "mode": "sideways",
                              "projects": {project: {"unit_minutes": 2000}, "site": {}}},
            "financials_visible_to": "client"}), uow)
    assert sorted(f.field for f in caught.value.field_errors) == [
        "settings.financials_visible_to", "settings.time_rounding.mode",
        "settings.time_rounding.projects",
        f"settings.time_rounding.projects.{project}.unit_minutes",
        "settings.time_rounding.unit_minutes"]
    assert uow.outbox.events == []
    # What time and forecasting read is kept (15.0: a JSON number through a protobuf Struct).
    saved = await organizations.update_organization(_patch(settings={
        "time_rounding": {"unit_minutes": 15.0, "mode": "up",
                          "projects": {project: {"unit_minutes": 6, "mode": "nearest"}}},
        "financials_visible_to": "member"}), uow)
    assert saved.settings["time_rounding"]["mode"] == "up"
