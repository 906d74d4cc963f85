"""The one error model survives the trip through gRPC status and maps to HTTP statuses; the
errors themselves are plain Python."""

from __future__ import annotations

import grpc
import pytest

from labs_common import errors
from labs_common.grpc.status import from_rpc_error, status_code, to_status
from labs_common.testing.fresh_python import fresh_python


class _FakeCall(grpc.RpcError):
    """What a client sees of an aborted call: code, details and the trailing status."""

    def __init__(self, status: grpc.Status) -> None:
        self._status = status

    def code(self):
        return self._status.code

    def details(self):
        return self._status.details

    def trailing_metadata(self):
        return self._status.trailing_metadata


def test_field_errors_and_reason_survive_the_round_trip():
    sent = errors.InvalidArgument(
        "hours: must be positive",
        reason="BAD_HOURS",
        field_errors=[errors.FieldError("hours", "must be positive")],
    )
    received = from_rpc_error(_FakeCall(to_status(sent)))
    assert isinstance(received, errors.InvalidArgument)
    assert received.http_status == 422 and received.reason == "BAD_HOURS"
    assert received.field_errors == [errors.FieldError("hours", "must be positive")]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.NotFound("x"), 404),
        (errors.Conflict("x"), 409),
        (errors.AlreadyExists("x"), 409),
        (errors.PreconditionFailed("x"), 412),
        (errors.Unauthenticated("x"), 401),
        (errors.PermissionDenied("x"), 403),
        (errors.ResourceExhausted("x"), 429),
        (errors.Unavailable("x"), 503),
        (errors.DeadlineExceeded("x"), 504),
    ],
)
def test_each_error_keeps_its_http_status_across_grpc(error, status):
    assert from_rpc_error(_FakeCall(to_status(error))).http_status == status


def test_internal_errors_hide_their_detail():
    leaked = errors.Internal("password=hunter2 at line 3")
    assert "hunter2" not in from_rpc_error(_FakeCall(to_status(leaked))).detail


def test_importing_the_errors_imports_no_transport():
    probe = "import sys, labs_common.errors; print('grpc' in sys.modules)"
    assert fresh_python(probe).strip() == "False"


def test_each_error_names_its_grpc_code_as_plain_text():
    assert errors.InvalidArgument.code == "INVALID_ARGUMENT"
    assert status_code(errors.PreconditionFailed("x")) == grpc.StatusCode.ABORTED


def test_the_codec_stays_importable_from_the_errors_module():
    assert errors.to_status is to_status and errors.from_rpc_error is from_rpc_error
