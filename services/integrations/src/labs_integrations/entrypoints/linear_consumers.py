"""Linear hears projects' task.updated: a linked task's title or status changed in Labs becomes
an intent to change its issue (service_layer/linear_pushes.py), and the push worker of this
replica is woken. task.deleted asks nothing of Linear (the issue stays)."""

from __future__ import annotations

from collections.abc import Callable

from labs_common.events.consumer import Subscription
from labs_integrations.service_layer.linear_pushes import LINEAR_PUSHES_SWEEPER, on_task_updated
from labs_integrations.service_layer.webhook_delivery import Waker

CONSUMER = "integrations-linear"


def linear_subscriptions(wake: Callable[[str], None] = lambda _name: None
                         ) -> list[Subscription]:
    waker = Waker(lambda: wake(LINEAR_PUSHES_SWEEPER))  # now, and again once committed

    async def on_updated(envelope, uow) -> None:
        if await on_task_updated(envelope, uow):
            waker()

    return [Subscription(CONSUMER, "projects", "task.updated", on_updated)]
