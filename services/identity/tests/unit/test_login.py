"""A sign-in attempt costs one password verification whatever the email, and an account that
failed too often is refused (429 with when to retry) before any verification."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from labs_common.auth.roles import Role
from labs_common.errors import InvalidArgument, ResourceExhausted, Unauthenticated
from labs_identity.adapters.passwords import hash_password
from labs_identity.domain import commands, throttle
from labs_identity.domain.model import Member
from labs_identity.service_layer import auth

from .conftest import FakeIdentityUnitOfWork

PASSWORD = "correct horse battery"
EMAIL = "pat@example.com"


@pytest.fixture
def verified(monkeypatch) -> list[str | None]:
    """The stored hashes each attempt verified (None: the decoy)."""
    seen: list[str | None] = []
    real = auth.verify_password

    async def counting(password_hash, password):
        seen.append(password_hash)
        return await real(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", counting)
    return seen


async def _uow_with_accounts(count: int, *, password: str = PASSWORD):
    uow = FakeIdentityUnitOfWork()
    members = []
    for _ in range(count):
        member = Member(
            EMAIL,
            Role.MEMBER,
            password_hash=await hash_password(password),
            id=uuid.uuid4(),
            org_id=uuid.uuid4(),
        )
        uow.members.rows[member.id] = member
        members.append(member)
    return uow, members


class Attempts:
    """The login throttle in memory (auth.LoginAttempts keeps it in PostgreSQL), and sign-in
    attempts on one unit of work."""

    def __init__(self, uow) -> None:
        self.uow = uow
        self.counted: dict[str, throttle.Attempts] = {}
        self.forgiven: list[str] = []

    async def admit(self, account: str, address: str | None = None) -> None:
        self.counted[account] = throttle.admit(self.counted.get(account), datetime.now(UTC))

    async def forgive(self, account: str, address: str | None = None) -> None:
        self.forgiven.append(account)
        self.counted.pop(account, None)

    async def login(self, email=EMAIL, password=PASSWORD, organization_id=""):
        return await auth.login(
            commands.Login(email, password, organization_id), self.uow, issuer=None, attempts=self
        )


async def test_an_email_in_several_organizations_costs_one_verification_to_be_asked_to_choose(
    verified,
):
    uow, members = await _uow_with_accounts(4)
    attempts = Attempts(uow)
    with pytest.raises(InvalidArgument) as caught:
        await attempts.login()
    assert [f.field for f in caught.value.field_errors] == ["organization_id"]
    listed = json.loads(caught.value.metadata["organizations"])
    assert [o["id"] for o in listed] == [str(m.org_id) for m in members]
    assert len(verified) == 1


async def test_a_wrong_password_for_an_email_in_several_organizations_costs_one_verification(
    verified,
):
    uow, _ = await _uow_with_accounts(4)
    attempts = Attempts(uow)
    with pytest.raises(Unauthenticated):
        await attempts.login(password="not the password")
    assert len(verified) == 1 and attempts.counted[auth.login_account(EMAIL)].failures == 1


async def test_the_account_signed_into_last_is_the_one_verified(verified):
    uow, members = await _uow_with_accounts(3)
    attempts = Attempts(uow)
    members[1].last_login_at = datetime.now(UTC)
    with pytest.raises(InvalidArgument):
        await attempts.login()
    assert verified == [members[1].password_hash]


async def test_a_chosen_organization_verifies_only_its_own_account(verified):
    uow, members = await _uow_with_accounts(3)
    attempts = Attempts(uow)
    with pytest.raises(Unauthenticated):
        await attempts.login(password="not the password", organization_id=str(members[2].org_id))
    assert verified == [members[2].password_hash]


async def test_an_unknown_email_costs_one_decoy_verification_and_counts_as_a_failure(verified):
    uow, _ = await _uow_with_accounts(0)
    attempts = Attempts(uow)
    with pytest.raises(Unauthenticated) as caught:
        await attempts.login(email="Nobody@Example.com")
    assert caught.value.reason == "BAD_CREDENTIALS"
    assert verified == [None]
    assert attempts.counted[auth.login_account("nobody@example.com")].failures == 1


@pytest.mark.parametrize("email", [EMAIL, "nobody@example.com"])
async def test_a_locked_account_is_refused_with_when_to_retry_before_any_verification(
    verified, email
):
    uow, _ = await _uow_with_accounts(1)
    attempts = Attempts(uow)
    now = datetime.now(UTC)
    attempts.counted[auth.login_account(email)] = throttle.Attempts(
        9, now, locked_until=now + timedelta(seconds=30)
    )
    with pytest.raises(ResourceExhausted) as caught:
        await attempts.login(email=email.upper())  # even with the right password
    assert 29 <= int(caught.value.metadata["retry_after"]) <= 30
    assert verified == [] and attempts.counted[auth.login_account(email)].failures == 9


async def test_asked_to_choose_an_organization_the_attempts_are_forgiven(verified):
    uow, _ = await _uow_with_accounts(2)
    attempts = Attempts(uow)
    with pytest.raises(InvalidArgument):
        await attempts.login()
    assert attempts.forgiven == [auth.login_account(EMAIL)] and attempts.counted == {}


def test_attempts_are_counted_until_the_lock_refuses_them_and_forgotten_after_an_hour():
    start = datetime(2026, 12, 1, 12, tzinfo=UTC)
    counted = None
    for n in range(1, throttle.FREE_FAILURES + 2):
        counted = throttle.admit(counted, start)
        assert counted.failures == n
    assert counted.locked_until == start + timedelta(seconds=1)
    with pytest.raises(ResourceExhausted) as caught:
        throttle.admit(counted, start + timedelta(milliseconds=100))
    assert caught.value.metadata["retry_after"] == "1"
    assert throttle.admit(counted, start + timedelta(seconds=1)).failures == n + 1
    later = start + throttle.FORGET_AFTER + timedelta(seconds=1)
    assert throttle.admit(counted, later) == throttle.Attempts(1, later)


def test_a_few_failures_are_free_then_each_doubles_the_wait_up_to_a_cap():
    waits = [throttle.lockout(n) for n in range(1, throttle.FREE_FAILURES + 6)]
    assert waits[: throttle.FREE_FAILURES] == [timedelta(0)] * throttle.FREE_FAILURES
    assert [w.total_seconds() for w in waits[throttle.FREE_FAILURES :]] == [1, 2, 4, 8, 16]
    assert throttle.lockout(1000) == throttle.MAX_LOCKOUT
