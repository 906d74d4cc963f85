"""The port through which handlers ask whether a user belongs to the caller's organization."""

from __future__ import annotations

import uuid
from typing import Protocol


class MemberDirectory(Protocol):
    async def is_staff_member(self, user_id: uuid.UUID) -> bool:
        """True for an active member of the caller's org with a staff role (not client)."""
        ...
