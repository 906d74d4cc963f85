"""Figma's hooks on real PostgreSQL: when the keeper's registration is due. A hook put in place
is not due again; a team changed (PATCH of the settings) makes it due at once, yet never while a
registration holds its lease (no second keeper races it), and a team changed while that
registration ran leaves the hook due when it is done (the row's updated_at, read by the claim):
the new team is not lost to the registration of the one before.

No LABS_FIGMA_WEBHOOK_URL here: the running keeper only gives passcodes, the test claims."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

from labs_common.db.uow import Scope
from labs_integrations.adapters.link_repository import FigmaHook
from labs_integrations.domain.connections import Connection, ConnectionStatus, Platform
from labs_integrations.service_layer.figma_hooks import BATCH, LEASE

DEADLINE = 20.0


async def test_a_team_changed_during_a_registration_leaves_the_hook_due(integrations):
    uow = integrations.runtime.uow
    org, connection_id = uuid.uuid4(), uuid.uuid4()
    async with uow(Scope(org_id=org)) as work:
        await work.connections.add(Connection(
            id=connection_id, org_id=org, platform=Platform.FIGMA,
            status=ConnectionStatus.CONNECTED, account_name="fay", external_account_id="1",
            settings={"team_id": "600"}, connected_by=uuid.uuid4(),
            connected_at=datetime.now(UTC)), b"sealed", "k1")
        await work.commit()

    async def claimed() -> list[FigmaHook]:
        async with uow(Scope.of_system()) as work:
            due = await work.figma_hooks.claim_registrations(BATCH, LEASE)
            await work.commit()
        return [hook for hook in due if hook.connection_id == connection_id]

    async def registered(hook: FigmaHook, team: str) -> None:
        async with uow(Scope(org_id=org)) as work:
            await work.figma_hooks.registered(hook, team, [f"{team}-1", f"{team}-2"])
            await work.commit()

    async def team_changed() -> None:
        async with uow(Scope(org_id=org)) as work:
            await work.figma_hooks.team_changed(connection_id)
            await work.commit()

    # The keeper gives the new connection its passcode: its first registration is due.
    deadline = time.monotonic() + DEADLINE
    while not (first := await claimed()):
        assert time.monotonic() < deadline, "the connection's hook was never due"
        await asyncio.sleep(0.05)
    await registered(first[0], "600")
    assert await claimed() == []  # put in place: not due again

    await team_changed()
    (moving,) = await claimed()  # due at once
    assert moving.team_id == "600" and moving.webhook_ids == ["600-1", "600-2"]
    await team_changed()  # changed again while that registration runs
    assert await claimed() == []  # its lease holds: no second keeper
    await registered(moving, "601")
    (again,) = await claimed()  # the change it did not see is not lost
    assert again.team_id == "601" and again.webhook_ids == ["601-1", "601-2"]
    await registered(again, "602")
    assert await claimed() == []
