"""A unit of work opens with BEGIN and its tenant settings in one message to PostgreSQL, and then
behaves as any SQLAlchemy transaction: commit, rollback, the settings local to it."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import text

from labs_common.db.begin import begin_with
from labs_common.db.uow import Scope, UnitOfWork


def _verb(query: str) -> str:
    return query.split(";")[0].split()[0].upper()


async def _logged(sent: list[str], count: int) -> None:
    """asyncpg hands each query to its loggers on a later turn of the loop."""
    for _ in range(100):
        if len(sent) >= count:
            return
        await asyncio.sleep(0.01)


async def test_the_first_message_begins_and_sets_the_tenant(sessions):
    sent: list[str] = []

    def record(query) -> None:
        sent.append(query.query)

    async with UnitOfWork(sessions, "time", Scope.of_system()) as uow:
        raw = (await (await uow.session.connection()).get_raw_connection()).driver_connection
    raw.add_query_logger(record)
    try:
        org = uuid.uuid4()
        # Last in, first out: the pool hands the same connection to the next transaction.
        async with UnitOfWork(sessions, "time", Scope(org_id=org)) as uow:
            again = (await (await uow.session.connection()).get_raw_connection()).driver_connection
            shown = (await uow.session.execute(text(
                "SELECT current_setting('labs.org_id'), current_setting('labs.scope')"))).one()
            await uow.commit()
        await _logged(sent, 2)
    finally:
        raw.remove_query_logger(record)
    assert again is raw
    assert tuple(shown) == (str(org), "tenant")
    assert sent[0] == (f"BEGIN; SELECT set_config('labs.org_id', '{org}', true), "
                       "set_config('labs.scope', 'tenant', true)")
    # asyncpg logs the messages sent as text, not the prepared statements SQLAlchemy runs: the
    # statement between them does not show, and no BEGIN of its own does either.
    assert [_verb(q) for q in sent] == ["BEGIN", "COMMIT"]
    assert not raw.is_in_transaction()


async def test_the_settings_are_the_transaction_s_own(sessions):
    first, second = uuid.uuid4(), uuid.uuid4()
    for org in (first, second):
        async with UnitOfWork(sessions, "time", Scope(org_id=org)) as uow:
            seen = (await uow.session.execute(
                text("SELECT current_setting('labs.org_id')"))).scalar_one()
        assert seen == str(org)
    async with UnitOfWork(sessions, "time", Scope.of_system()) as uow:
        seen = (await uow.session.execute(text(
            "SELECT current_setting('labs.org_id'), current_setting('labs.scope')"))).one()
    assert tuple(seen) == ("", "system")


async def test_leaving_without_commit_rolls_back_and_commit_keeps(sessions):
    kept, dropped = uuid.uuid4(), uuid.uuid4()
    for event_id, commit in ((kept, True), (dropped, False)):
        async with UnitOfWork(sessions, "time", Scope.of_system()) as uow:
            await uow.session.execute(
                text("INSERT INTO effects (event_id, org_id) VALUES (:e, :o)"),
                {"e": event_id, "o": uuid.uuid4()})
            if commit:
                await uow.commit()
    async with UnitOfWork(sessions, "time", Scope.of_system()) as uow:
        found = set((await uow.session.execute(
            text("SELECT event_id FROM effects WHERE event_id IN (:a, :b)"),
            {"a": kept, "b": dropped})).scalars())
    assert found == {kept}


async def test_a_plain_connection_begins_with_a_statement_and_commits(engine):
    async with engine.connect() as connection:
        await begin_with(connection, "SELECT set_config('labs.scope', 'system', true)")
        scope = (await connection.execute(
            text("SELECT current_setting('labs.scope')"))).scalar_one()
        await connection.commit()
        raw = (await connection.get_raw_connection()).driver_connection
        assert scope == "system" and not raw.is_in_transaction()
