"""Idempotency records on real PostgreSQL: the same caller's retry gets the identical answer,
nobody else ever does, and the table holds neither the client's keys nor the answers' secrets."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from labs_common.auth.roles import Role
from labs_common.db.uow import IdempotencyRecords, Scope, UnitOfWork
from labs_common.errors import Conflict, InvalidArgument
from labs_common.testing.fakes import a_caller

pytestmark = pytest.mark.integration

METHOD = "labs.identity.v1.IdentityService/CreateApiKey"
SECRET = b"lbk_the-secret-shown-once"


def call(body: bytes = b"name=ci") -> tuple[str, str]:
    client_key = f"client-key-{uuid.uuid4()}"
    return f"{METHOD} {client_key}", IdempotencyRecords.fingerprint(METHOD, body)


async def first_time(sessions, scope: Scope, key: str, fingerprint: str, answer: bytes) -> None:
    async with UnitOfWork(sessions, "time", scope) as uow:
        assert await uow.idempotency.claim(key, fingerprint) is None
        await uow.idempotency.record(key, answer)
        await uow.commit()


async def retry(sessions, scope: Scope, key: str, fingerprint: str) -> bytes | None:
    async with UnitOfWork(sessions, "time", scope) as uow:
        return await uow.idempotency.claim(key, fingerprint)


async def stored_rows(sessions, scope: Scope) -> list:
    async with UnitOfWork(sessions, "time", Scope.of_system()) as uow:
        return (
            await uow.session.execute(
                text(
                    "SELECT key, fingerprint, response, created_at FROM idempotency_keys"
                    " WHERE scope = :scope"
                ),
                {"scope": IdempotencyRecords.caller_scope(scope)},
            )
        ).all()


async def test_a_retry_gets_the_identical_answer_but_the_table_shows_no_key_and_no_secret(sessions):
    scope = Scope.of_caller(a_caller(Role.ADMIN))
    key, fingerprint = call()
    answer = b"\x0a\x19" + SECRET + b" and the rest of the response"
    await first_time(sessions, scope, key, fingerprint, answer)
    assert await retry(sessions, scope, key, fingerprint) == answer
    [row] = await stored_rows(sessions, scope)
    client_key = key.split(" ", 1)[1]
    assert client_key not in row.key and row.fingerprint != fingerprint
    assert SECRET not in row.response and answer not in row.response
    assert row.created_at is not None  # what the pruner goes by


async def test_a_key_never_replays_to_another_caller(sessions):
    owner = a_caller(Role.ADMIN)
    scope = Scope.of_caller(owner)
    key, fingerprint = call()
    await first_time(sessions, scope, key, fingerprint, SECRET)
    colleague = Scope.of_caller(a_caller(Role.ADMIN, org_id=owner.org_id))
    other_org = Scope.of_caller(a_caller(Role.ADMIN, user_id=owner.user_id))
    for someone_else in (colleague, other_org, Scope.of_system()):
        assert await retry(sessions, someone_else, key, fingerprint) is None


async def test_another_request_with_the_key_is_refused_and_an_unfinished_one_conflicts(sessions):
    scope = Scope.of_caller(a_caller())
    key, fingerprint = call()
    await first_time(sessions, scope, key, fingerprint, SECRET)
    with pytest.raises(InvalidArgument) as caught:
        await retry(sessions, scope, key, call(b"name=other")[1])
    assert caught.value.reason == "IDEMPOTENCY_KEY_REUSED"

    unfinished, its_fingerprint = call()
    async with UnitOfWork(sessions, "time", scope) as uow:
        assert await uow.idempotency.claim(unfinished, its_fingerprint) is None
        await uow.commit()  # claimed, never recorded: the first request died
    with pytest.raises(Conflict):
        await retry(sessions, scope, unfinished, its_fingerprint)


async def test_a_sealed_answer_does_not_open_under_another_row(sessions):
    """Copying a row's response into another's (a database writer's tampering) is detected."""
    scope = Scope.of_caller(a_caller())
    first, first_fingerprint = call()
    second, second_fingerprint = call()
    await first_time(sessions, scope, first, first_fingerprint, b"first answer")
    await first_time(sessions, scope, second, second_fingerprint, b"second answer")
    async with UnitOfWork(sessions, "time", Scope.of_system()) as uow:
        await uow.session.execute(
            text(
                "UPDATE idempotency_keys SET response = (SELECT response FROM idempotency_keys"
                " WHERE scope = :scope AND key <> :kept LIMIT 1)"
                " WHERE scope = :scope AND key = :kept"
            ),
            {
                "scope": IdempotencyRecords.caller_scope(scope),
                "kept": (await stored_rows(sessions, scope))[0].key,
            },
        )
        await uow.commit()
    answers = []
    for key, fingerprint in ((first, first_fingerprint), (second, second_fingerprint)):
        try:
            answers.append(await retry(sessions, scope, key, fingerprint))
        except Conflict as error:
            answers.append(error.reason)
    readable = [a for a in answers if a != "IDEMPOTENCY_RECORD_UNREADABLE"]
    assert len(readable) == 1 and readable[0] in (b"first answer", b"second answer")


async def test_a_caller_whose_role_changed_is_not_replayed_the_earlier_answer(sessions):
    admin = a_caller(Role.ADMIN)
    key, fingerprint = call()
    await first_time(sessions, Scope.of_caller(admin), key, fingerprint, SECRET)
    demoted = a_caller(Role.MEMBER, org_id=admin.org_id, user_id=admin.user_id)
    with pytest.raises(Conflict) as caught:
        await retry(sessions, Scope.of_caller(demoted), key, fingerprint)
    assert caught.value.reason == "IDEMPOTENCY_RECORD_UNREADABLE"
    assert await retry(sessions, Scope.of_caller(admin), key, fingerprint) == SECRET
