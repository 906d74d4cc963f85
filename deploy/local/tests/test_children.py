"""The environment each child gets: what the services' and gateway's settings read."""

from __future__ import annotations

import dataclasses
import os
import sys

from labs_local.children import ChildEnvironment, gateway_spec, service_spec
from labs_local.processes import RestartPolicy, SupervisedChild

DATABASE = "postgresql://postgres:@/postgres?host=/tmp/pg"


def shared(**overrides) -> ChildEnvironment:
    return ChildEnvironment(**{
        "nats_url": "nats://127.0.0.1:53020",
        "port_base": 53000,
        "inherited": {"PATH": "/usr/bin", "LABS_LOG_LEVEL": "DEBUG", "LABS_GRPC_PORT": "9999",
                      "LABS_DATABASE_NAME": "shared", "LABS_ENV": "production"},
        **overrides,
    })


def test_a_service_gets_its_database_the_shared_engines_and_the_port_base():
    spec = service_spec("time", DATABASE, shared())
    assert spec.name == "time"
    assert spec.argv == (sys.executable, "-m", "labs_time")
    env = spec.env
    assert env["LABS_DATABASE_URL"] == DATABASE
    assert env["LABS_DATABASE_NAME"] == "labs_time"
    assert env["LABS_NATS_URL"] == "nats://127.0.0.1:53020"
    assert env["LABS_PORT_BASE"] == "53000"
    assert env["LABS_LOG_FORMAT"] == "console"
    assert env["LABS_ENV"] == "development"  # the runner's choice beats an inherited value
    assert env["LABS_SHUTDOWN_GRACE_SECONDS"] == "5"
    assert env["PYTHONUNBUFFERED"] == "1"
    # Passed through: the user's own settings and what a process needs to run at all.
    assert env["PATH"] == "/usr/bin"
    assert env["LABS_LOG_LEVEL"] == "DEBUG"
    # Per-process values never leak from the runner's environment into every child.
    assert "LABS_GRPC_PORT" not in env


def test_the_gateway_gets_its_address_and_no_database():
    spec = gateway_spec("0.0.0.0", 8790, shared(log_format="json", labs_env="test"))
    assert spec.argv == (sys.executable, "-m", "labs_gateway")
    env = spec.env
    assert env["LABS_GATEWAY_HOST"] == "0.0.0.0"
    assert env["LABS_GATEWAY_PORT"] == "8790"
    assert env["LABS_PORT_BASE"] == "53000"
    assert env["LABS_NATS_URL"] == "nats://127.0.0.1:53020"
    assert env["LABS_LOG_FORMAT"] == "json"
    assert env["LABS_ENV"] == "test"
    assert "LABS_DATABASE_URL" not in env
    assert "LABS_DATABASE_NAME" not in env


def test_extra_variables_win_and_the_database_prefix_applies():
    spec = service_spec("billing", DATABASE, shared(extra={"LABS_LOG_LEVEL": "WARNING"}), "e2e_")
    assert spec.env["LABS_DATABASE_NAME"] == "e2e_billing"
    assert spec.env["LABS_LOG_LEVEL"] == "WARNING"


async def test_a_services_own_settings_read_what_the_runner_passes(captured_output, eventually):
    # The contract end to end: the real Settings class of a service, in a real child process.
    spec = service_spec("time", DATABASE, shared(inherited=dict(os.environ)))
    code = ("from labs_time.config import Settings; s = Settings(); "
            "print('settings', s.grpc_port, s.database_name, s.nats_url, s.log_format, s.env)")
    output, buffer = captured_output()
    child = SupervisedChild(dataclasses.replace(spec, argv=(sys.executable, "-c", code)),
                            output, RestartPolicy(initial_delay=30))
    child.start()
    try:
        await eventually(lambda: "settings" in buffer.getvalue(), what="child output")
    finally:
        await child.stop(kill_after=5)
    assert "settings 53003 labs_time nats://127.0.0.1:53020 console development" in (
        buffer.getvalue())
