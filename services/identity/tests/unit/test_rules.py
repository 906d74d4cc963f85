"""Identity's rules, without I/O."""

from __future__ import annotations

import pytest

from labs_common.auth.roles import Role
from labs_common.errors import Conflict, InvalidArgument, PermissionDenied
from labs_identity.domain import rules


def test_emails_are_lower_cased_and_trimmed():
    assert rules.normalize_email("  Ada@Example.COM ") == "ada@example.com"


@pytest.mark.parametrize(
    "email", ["", "no-at-sign", "two@@example.com", "a@b", "x" * 250 + "@e.io"]
)
def test_malformed_emails_name_the_field(email):
    with pytest.raises(InvalidArgument) as caught:
        rules.normalize_email(email)
    assert caught.value.field_errors[0].field == "email"


def test_passwords_need_ten_characters():
    rules.check_password("x" * 10)
    with pytest.raises(InvalidArgument):
        rules.check_password("x" * 9)


def test_only_owners_grant_owner():
    rules.check_can_grant(Role.OWNER, Role.OWNER)
    rules.check_can_grant(Role.ADMIN, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        rules.check_can_grant(Role.ADMIN, Role.OWNER)
    with pytest.raises(PermissionDenied):
        rules.check_can_grant(Role.MANAGER, Role.MEMBER)


def test_an_organization_keeps_one_owner():
    rules.check_role_change(Role.OWNER, Role.OWNER, Role.ADMIN, owners=2)
    with pytest.raises(Conflict):
        rules.check_role_change(Role.OWNER, Role.OWNER, Role.ADMIN, owners=1)
    with pytest.raises(Conflict):
        rules.check_removal(Role.OWNER, Role.OWNER, owners=1)
    with pytest.raises(PermissionDenied):
        rules.check_role_change(Role.ADMIN, Role.OWNER, Role.MEMBER, owners=3)


def test_client_role_and_client_id_go_together():
    assert rules.client_binding(Role.MEMBER, "") is None
    assert str(
        rules.client_binding(Role.CLIENT, "6f1c2a1e-8f5e-4b8a-9a51-1f0b2c3d4e5f")
    ).startswith("6f1c")
    for role, client in (
        (Role.CLIENT, ""),
        (Role.MEMBER, "6f1c2a1e-8f5e-4b8a-9a51-1f0b2c3d4e5f"),
        (Role.CLIENT, "not-a-uuid"),
    ):
        with pytest.raises(InvalidArgument) as caught:
            rules.client_binding(role, client)
        assert caught.value.field_errors[0].field == "client_id"


def test_api_keys_never_outrank_their_creator():
    rules.check_api_key_role(Role.MANAGER, Role.MEMBER)
    with pytest.raises(InvalidArgument):
        rules.check_api_key_role(Role.MEMBER, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        rules.check_api_key_role(Role.VIEWER, Role.VIEWER)
    assert rules.effective_api_key_role(Role.ADMIN, Role.MEMBER) is Role.MEMBER
    assert rules.effective_api_key_role(Role.VIEWER, Role.OWNER) is Role.VIEWER


def test_time_zones_and_currencies_are_checked():
    assert rules.check_timezone("America/New_York") == "America/New_York"
    assert rules.check_currency("EUR") == "EUR"
    assert rules.check_currency("gbp") == "GBP"
    for check, value in ((rules.check_timezone, "Nowhere/Land"), (rules.check_currency, "euro"),
                         (rules.check_currency, "XYZ")):
        with pytest.raises(InvalidArgument):
            check(value)
