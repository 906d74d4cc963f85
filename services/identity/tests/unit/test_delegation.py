"""Who may ask for a delegated token: the credential check, before any database work."""

from __future__ import annotations

import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest

from labs.identity.v1 import identity_service_pb2 as pb
from labs_common.auth.delegation import SERVICE_CREDENTIAL_METADATA
from labs_common.errors import InvalidArgument, PermissionDenied
from labs_identity.domain import rules
from labs_identity.entrypoints.grpc_servicer import PUBLIC_METHODS, IdentityServicer


class Context:
    def __init__(self, credential: str | None) -> None:
        self._metadata = () if credential is None else (
            SimpleNamespace(key=SERVICE_CREDENTIAL_METADATA, value=credential),)

    def invocation_metadata(self):
        return self._metadata


def servicer(secret: str) -> IdentityServicer:
    def no_database(scope):
        raise AssertionError("the credential is checked before any transaction")

    return IdentityServicer(no_database, None, None, timedelta(days=7), None,
                            delegation_secret=secret)


def request() -> pb.IssueDelegatedTokenRequest:
    return pb.IssueDelegatedTokenRequest(org_id=str(uuid.uuid4()), user_id=str(uuid.uuid4()),
                                         actor="integrations")


@pytest.mark.parametrize("credential", [None, "", "anything"])
async def test_with_no_secret_configured_every_caller_is_refused(credential):
    with pytest.raises(PermissionDenied) as caught:
        await servicer("").IssueDelegatedToken(request(), Context(credential))
    assert caught.value.reason == "DELEGATION_NOT_CONFIGURED"
    assert "not configured" in caught.value.detail


@pytest.mark.parametrize("credential", [None, "", "s3cre", "s3cret ", "S3CRET"])
async def test_a_wrong_or_missing_credential_is_refused(credential):
    with pytest.raises(PermissionDenied) as caught:
        await servicer("s3cret").IssueDelegatedToken(request(), Context(credential))
    assert caught.value.reason == "SERVICE_CREDENTIAL_INVALID"


def test_the_right_credential_passes():
    rules.check_service_credential("s3cret", "s3cret")


def test_it_is_public_as_sign_in_is():
    assert "IssueDelegatedToken" in PUBLIC_METHODS


@pytest.mark.parametrize("actor", ["", "Integrations", "service:x", "a" * 64, "-x"])
def test_the_actor_is_a_service_name(actor):
    with pytest.raises(InvalidArgument):
        rules.check_actor(actor)
    assert rules.check_actor(" integrations ") == "integrations"
