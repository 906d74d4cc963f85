"""What other services answered, asked before a transaction opens.

No handler waits on projects, identity or capacity while its unit of work is open: the entrypoint
first calls the handler's `ask_*` function (beside it), which puts every question to the other
services (answered from time's read models when they can, service_layer/known.py) and keeps each
answer, then runs the handler in one short transaction with those answers.

An answer that was an error is kept, not raised, and the handler raises it where it takes the
answer. So errors come in the order the handler checks things (the entry's 404 before identity's
503, a 403 before anything), and a retried request with its Idempotency-Key still gets its first
response, whatever the other services would say now."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from labs_common.errors import LabsError

T = TypeVar("T")


@dataclass(frozen=True)
class Answer(Generic[T]):
    value: T | None = None
    error: Exception | None = None

    def get(self) -> T:
        """The value, or the error the question raised."""
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


class NotAsked(RuntimeError):
    """A handler took an answer its `ask_*` function did not ask for: the two disagree about a
    check that needs nothing from elsewhere (a bug, not the caller's fault)."""


# Asked for nothing: the request already fails a check that needs no other service (the handler
# raises that first), so asking would be wasted.
SKIPPED: Answer = Answer(error=NotAsked("this answer was not asked for"))


async def ask(question: Callable[[], Awaitable[T]]) -> Answer[T]:
    """Put one question to another service; its refusal (any LabsError) becomes the answer."""
    try:
        return Answer(await question())
    except LabsError as error:
        return Answer(error=error)


def settle(step: Callable[[], T]) -> Answer[T]:
    """Work a value out of earlier answers now, keeping its error (or theirs) for later."""
    try:
        return Answer(step())
    except LabsError as error:
        return Answer(error=error)


def passes(*checks: Callable[[], object]) -> bool:
    """Whether the checks that need no other service pass (the handler repeats and raises
    them); when one fails, the `ask_*` function asks nothing."""
    try:
        for check in checks:
            check()
    except LabsError:
        return False
    return True
