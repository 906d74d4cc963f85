"""What the services' commands share (pure Python: domain code imports it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import dataclass_transform


@dataclass_transform(frozen_default=True)
class Command:
    """What a caller asks a service to do, one subclass per use case: each subclass is a frozen
    dataclass of the fields it declares (built by the entrypoint, read by one handler)."""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        dataclass(frozen=True)(cls)


class ById(Command):
    """A use case about one object, named by its id (get it, archive it, delete it...). Each
    such command subclasses it, so a handler still takes its own type; equal only to the same
    type."""

    id: uuid.UUID
