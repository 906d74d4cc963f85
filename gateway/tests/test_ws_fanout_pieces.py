"""What the fan-out work changed in the hub's pieces: a socket's reader is kept, not rebuilt for
every event, yet follows its organization's financials level and its principal; the collector
is frozen and its thresholds raised once the gateway has started (labs_gateway.ws.collector)."""

from __future__ import annotations

import uuid

from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.testing.fresh_python import fresh_python
from labs_common.visibility import Reader
from labs_gateway.financials import FinancialsLevels
from labs_gateway.ws import collector
from labs_gateway.ws.connection import Connection

ORG = str(uuid.uuid4())


def principal(role: str = "member", user: uuid.UUID | None = None) -> Principal:
    return Principal(user_id=user or uuid.uuid4(), org_id=uuid.UUID(ORG), role=Role(role),
                     token="t")


def test_the_reader_is_kept_while_nothing_changes():
    levels = FinancialsLevels(identity=None)
    connection = Connection(websocket=None, principal=principal(), queue_size=4,
                            financials=levels)
    first = connection.reader
    assert connection.reader is first
    assert first == Reader.of(connection.principal)


def test_the_reader_follows_the_organizations_financials_level():
    levels = FinancialsLevels(identity=None)
    connection = Connection(websocket=None, principal=principal(), queue_size=4,
                            financials=levels)
    assert connection.reader.financials_from is Role.MANAGER
    levels.heard(ORG, {"financials_visible_to": "member"})
    assert levels.cached(ORG) is not Role.MANAGER
    assert connection.reader == Reader.of(connection.principal,
                                          financials_from=levels.cached(ORG))
    assert connection.reader.financials_from is levels.cached(ORG)


def test_a_new_principal_makes_a_new_reader():
    user = uuid.uuid4()
    connection = Connection(websocket=None, principal=principal("member", user), queue_size=4)
    assert connection.reader.role is Role.MEMBER
    connection.principal = principal("manager", user)
    assert connection.reader.role is Role.MANAGER
    assert connection.is_client is False and connection.user_id == str(user)
    assert connection.org_id == ORG


def test_the_collector_is_frozen_and_its_thresholds_raised_once():
    # In a child process: freezing this one would change every later test's collector.
    script = ("import gc; from labs_gateway.ws import collector; "
              "print(collector.tune(), collector.tune(), gc.get_threshold(), "
              "gc.get_freeze_count() > 0)")
    out = fresh_python(script, timeout=60).split(maxsplit=2)
    assert out[:2] == ["True", "True"]
    assert out[2].strip() == f"{collector.THRESHOLDS} True"


def test_the_collector_can_be_left_alone():
    script = ("import gc; from labs_gateway.ws import collector; "
              "from labs_gateway.config import GatewaySettings; "
              "print(collector.tune(GatewaySettings().gateway_gc_tuning), gc.get_threshold(), "
              "gc.get_freeze_count())")
    out = fresh_python(script, timeout=60, env={"LABS_GATEWAY_GC_TUNING": "0", "PATH": ""})
    assert out.strip() == "False (700, 10, 10) 0"
