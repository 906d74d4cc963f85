"""The port through which handlers ask whether a user belongs to the caller's organization."""

from __future__ import annotations

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
