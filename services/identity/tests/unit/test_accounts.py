"""The caller's own account with fakes: logout announces, profile rules, emailed tokens."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from labs_common.auth.roles import Role
from labs_common.errors import InvalidArgument
from labs_common.testing.fakes import a_caller
from labs_identity.adapters.credentials import TokenDeriver
from labs_identity.adapters.mailer import SmtpServer
from labs_identity.domain import commands, rules
from labs_identity.service_layer import auth

from .conftest import FakeIdentityUnitOfWork

TTL = timedelta(minutes=15)


async def test_logout_announces_the_session_with_when_its_tokens_expire():
    session_id = uuid.uuid4()
    uow = FakeIdentityUnitOfWork(caller=replace(a_caller(Role.MEMBER), session_id=session_id))
    await auth.logout(commands.Logout(), uow, access_ttl=TTL)
    (revoked,) = uow.outbox.of_type("session.revoked")
    assert revoked.session_id == str(session_id) and revoked.reason == "logout"
    assert revoked.HasField("access_expires_at")


async def test_an_api_key_caller_has_no_session_to_end():
    uow = FakeIdentityUnitOfWork(caller=a_caller(Role.MEMBER))
    await auth.logout(commands.Logout(), uow, access_ttl=TTL)
    assert uow.outbox.events == []


def test_notification_preferences_name_every_unknown_key_and_non_boolean():
    with pytest.raises(InvalidArgument) as refused:
        rules.check_notification_preferences({
            "budget_burn": {"email": False, "pigeon": True},
            "weather": {"email": True},
            "risk_score": {"slack": "yes"},
            "invoice_overdue": True,
        })
    assert sorted(f.field for f in refused.value.field_errors) == [
        "notification_preferences.budget_burn.pigeon",
        "notification_preferences.invoice_overdue",
        "notification_preferences.risk_score.slack",
        "notification_preferences.weather",
    ]


def test_preferences_merge_per_channel_and_fill_in_defaults():
    merged = rules.merge_preferences({"budget_burn": {"email": False}},
                                     {"budget_burn": {"slack": False}})
    assert merged == {"budget_burn": {"email": False, "slack": False}}
    matrix = rules.notification_matrix(merged)
    assert set(matrix) == set(rules.ALERT_TYPES)
    assert matrix["budget_burn"] == {"email": False, "slack": False, "in_app": True}


def test_emailed_tokens_are_keyed_and_distinct_per_purpose():
    row = uuid.uuid4()
    one, other = TokenDeriver("secret one"), TokenDeriver("secret two")
    assert one.invitation(row) == one.invitation(row) != other.invitation(row)
    assert one.invitation(row).startswith("lbi_") and one.password_reset(row).startswith("lbp_")
    assert one.invitation(row)[4:] != one.password_reset(row)[4:]


def test_smtp_urls():
    server = SmtpServer.parse("smtp://mailer:p%40ss@mail.example.com:587?starttls=true")
    assert (server.host, server.port, server.username, server.password, server.starttls) == (
        "mail.example.com", 587, "mailer", "p@ss", True)
    assert SmtpServer.parse("smtps://mail.example.com").port == 465
    with pytest.raises(ValueError):
        SmtpServer.parse("http://mail.example.com")
