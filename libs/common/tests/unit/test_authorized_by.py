"""A handler's authorization, declared once: the handler applies it, and it can be found (through
partial application) to apply before an Idempotency-Key replays an earlier answer."""

from __future__ import annotations

from functools import partial

import pytest

from labs_common.auth.roles import Role
from labs_common.errors import PermissionDenied
from labs_common.grpc.transactions import authorization_of, authorized_by
from labs_common.testing.fakes import FakeUnitOfWork, a_caller


def _admins_only(principal, command) -> None:
    principal.require(Role.ADMIN)


@authorized_by(_admins_only)
async def rename(command: str, uow, *, suffix: str = "") -> str:
    return command + suffix


async def test_the_handler_applies_its_check_itself():
    assert await rename("ok", FakeUnitOfWork(caller=a_caller(Role.ADMIN)), suffix="!") == "ok!"
    with pytest.raises(PermissionDenied):
        await rename("no", FakeUnitOfWork(caller=a_caller(Role.MEMBER)))


def test_the_check_is_found_through_partial_application():
    assert authorization_of(partial(partial(rename, suffix="!"))) is _admins_only
    assert authorization_of(lambda command, uow: None) is None
