"""Identity and integrations share one delegation secret per run; no other child sees it."""

from __future__ import annotations

from labs_common.config import SERVICES
from labs_local.children import gateway_spec
from labs_local.suite import Suite

VARIABLE = "LABS_DELEGATION_SECRET"
DATABASE = "postgresql://postgres:@/postgres?host=/tmp/pg"


def environments(suite: Suite) -> dict[str, dict[str, str]]:
    shared = suite._shared(nats_url="nats://127.0.0.1:53020")
    envs = {name: suite._service_spec(name, shared).env for name in SERVICES}
    envs["gateway"] = gateway_spec("127.0.0.1", 8000, shared).env
    return envs


def suite(**inherited: str) -> Suite:
    return Suite(database_url=DATABASE, inherited_env={"PATH": "/usr/bin", **inherited})


def test_identity_and_integrations_get_the_same_fresh_secret_and_no_one_else():
    envs = environments(suite())
    secret = envs["identity"][VARIABLE]
    assert len(secret) >= 40 and envs["integrations"][VARIABLE] == secret
    assert [name for name, env in envs.items() if VARIABLE in env] == ["identity", "integrations"]
    assert environments(suite())["identity"][VARIABLE] != secret  # random per run


def test_a_secret_set_in_the_environment_is_used_and_still_kept_from_the_others():
    envs = environments(suite(LABS_DELEGATION_SECRET="operator-chosen"))
    assert envs["identity"][VARIABLE] == envs["integrations"][VARIABLE] == "operator-chosen"
    assert VARIABLE not in envs["time"] and VARIABLE not in envs["gateway"]
