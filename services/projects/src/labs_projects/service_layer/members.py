"""The port through which handlers ask whether a user belongs to the caller's organization.

Identity is asked before the handler's transaction opens (`ask_members`, in the entrypoint), so
no transaction waits on it; the handler then reads the answers (`AnsweredMembers`)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Protocol


class MemberDirectory(Protocol):
    async def is_staff_member(self, user_id: uuid.UUID) -> bool:
        """True for an active member of the caller's org with a staff role (not client)."""
        ...


class RememberingMemberDirectory:
    """Asks once per user within one request (a bulk update names one assignee for many tasks)."""

    def __init__(self, members: MemberDirectory) -> None:
        self._members = members
        self._answers: dict[uuid.UUID, bool] = {}

    async def is_staff_member(self, user_id: uuid.UUID) -> bool:
        if user_id not in self._answers:
            self._answers[user_id] = await self._members.is_staff_member(user_id)
        return self._answers[user_id]


class AnsweredMembers:
    """A MemberDirectory that answers what was asked before the transaction opened, never
    calling out; a user nobody asked about is a bug in the entrypoint, not the caller's fault."""

    def __init__(self, answers: dict[uuid.UUID, bool]) -> None:
        self._answers = answers

    async def is_staff_member(self, user_id: uuid.UUID) -> bool:
        if user_id not in self._answers:
            raise LookupError(f"membership of {user_id} was not asked before the transaction")
        return self._answers[user_id]


async def ask_members(members: MemberDirectory, *named: str) -> AnsweredMembers:
    """Ask whether each user a request names (ids as given; empty or malformed ones are left to
    the handler's own 422) is a staff member of the caller's org, all at once."""
    ids: set[uuid.UUID] = set()
    for value in named:
        try:
            ids.add(uuid.UUID(value))
        except (ValueError, TypeError, AttributeError):
            continue
    order = sorted(ids)
    found = await asyncio.gather(*(members.is_staff_member(user_id) for user_id in order))
    return AnsweredMembers(dict(zip(order, found, strict=True)))
