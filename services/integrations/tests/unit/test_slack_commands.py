"""Slash commands without I/O: a service's refusal becomes a reply naming what was wrong; help
and usage need no org; an unsigned request never reaches the command."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest
from pydantic import SecretStr

from labs_common.errors import (
    FieldError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from labs_integrations.config import Settings
from labs_integrations.service_layer.slack_commands import SlackCommands, explain

SECRET = "unit-signing-secret"


def test_refusals_are_explained_with_their_fields():
    refused = InvalidArgument("Validation failed", field_errors=[
        FieldError("date_worked", "is in a locked period"), FieldError("hours", "too many")])
    assert explain(refused) == (":x: Labs refused it: date_worked: is in a locked period; "
                                "hours: too many")
    assert explain(InvalidArgument.on("notes", "too long")) == \
        ":x: Labs refused it: notes: too long"
    assert explain(PermissionDenied("Time entries are for members and up.")).startswith(
        ":no_entry: You may not do that in Labs: Time entries are for members")
    assert "No such project" in explain(NotFound("No such project."))


def signed(body: bytes) -> tuple[str, str]:
    ts = str(int(time.time()))
    return ts, "v0=" + hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body,
                                hashlib.sha256).hexdigest()


def commands() -> SlackCommands:
    def no_uow(scope):
        raise AssertionError("no database for help")
    settings = Settings(slack_signing_secret=SecretStr(SECRET))
    return SlackCommands(no_uow, settings, vault=None, tokens=None, time_stub=None,
                         projects_stub=None)


async def test_help_and_mistakes_answer_usage_without_any_lookup():
    runner = commands()
    for text, expected in (("help", "/labs time"), ("", "/labs status"),
                           ("time soon Site", "not a duration"), ("dance", "`dance`")):
        body = f"team_id=T1&user_id=U1&command=%2Flabs&text={text.replace(' ', '+')}".encode()
        reply = await runner.receive(body, *signed(body))
        assert reply.response_type == "ephemeral" and expected in reply.text, (text, reply)
    await runner.aclose()


async def test_an_unsigned_request_never_runs():
    runner = commands()
    body = b"team_id=T1&user_id=U1&text=help"
    with pytest.raises(Unauthenticated):
        await runner.receive(body, str(int(time.time())), "v0=" + "0" * 64)
    await runner.aclose()
