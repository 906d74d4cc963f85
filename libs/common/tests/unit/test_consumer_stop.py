"""A consumer stops when its task is cancelled, even where nats-py swallows the cancellation."""

from __future__ import annotations

import asyncio

from nats.errors import TimeoutError as NatsTimeout

from labs_common.events.consumer import EventConsumer, Subscription


class SwallowingPull:
    """A pull whose fetch turns a cancellation into a timeout, as nats-py's fetch can."""

    def __init__(self) -> None:
        self.fetching = asyncio.Event()

    async def fetch(self, batch: int, timeout: float):
        self.fetching.set()
        try:
            await asyncio.sleep(timeout)
        except asyncio.CancelledError:
            raise NatsTimeout from None
        raise NatsTimeout

    async def unsubscribe(self) -> None:
        return None


class FakeJetStream:
    def __init__(self, pull: SwallowingPull) -> None:
        self.pull = pull

    async def add_consumer(self, stream, config):
        return None

    async def pull_subscribe(self, subject, durable, stream, config):
        return self.pull


async def test_a_cancelled_consumer_stops_although_its_fetch_swallowed_the_cancellation():
    async def handler(_envelope, _uow):
        return None

    pull = SwallowingPull()
    consumer = EventConsumer(FakeJetStream(pull), lambda _scope: None,
                             Subscription("stopper", "time", "entry.created", handler))
    task = asyncio.create_task(consumer.run())
    await asyncio.wait_for(pull.fetching.wait(), timeout=5)
    task.cancel()
    # Before: the loop took the timeout for an empty fetch and went on fetching for ever.
    done, _ = await asyncio.wait({task}, timeout=5)
    assert task in done, "the consumer went on after its task was cancelled"
    assert task.cancelled()
