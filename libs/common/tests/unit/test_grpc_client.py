"""Retry-safety comes from the protos' `option idempotency_level`, not from lists in callers."""

from __future__ import annotations

import json

from labs_common.grpc.client import idempotent_methods, service_config


def test_reads_and_effect_free_exchanges_are_retried():
    identity = idempotent_methods("labs.identity.v1.IdentityService")
    assert {"GetMe", "GetJwks", "ListMembers", "GetMember", "AuthenticateApiKey"} <= set(identity)
    assert "GetProject" in idempotent_methods("labs.projects.v1.ProjectsService")
    assert "GetRates" in idempotent_methods("labs.capacity.v1.CapacityService")
    assert "ListTimeEntries" in idempotent_methods("labs.time.v1.TimeService")


def test_writes_are_never_retried():
    writes = {"Signup", "Login", "RefreshSession", "CreateApiKey", "RevokeApiKey"}
    assert not writes & set(idempotent_methods("labs.identity.v1.IdentityService"))
    time_methods = set(idempotent_methods("labs.time.v1.TimeService"))
    assert not {"CreateTimeEntry", "AppendImportChunk", "ReserveEntries"} & time_methods


def test_only_the_declared_methods_get_a_retry_policy():
    service = "labs.time.v1.TimeService"
    config = json.loads(service_config(service, idempotent_methods(service), 5.0))
    retried, default = config["methodConfig"]
    assert {n["method"] for n in retried["name"]} == set(idempotent_methods(service))
    assert retried["retryPolicy"]["retryableStatusCodes"] == ["UNAVAILABLE"]
    assert default == {"name": [{"service": service}], "timeout": "5.0s"}
