"""One frozen dataclass per use case of links. The entrypoint builds them after it has asked
the projects service (as the caller) where the task or project is: `project_id` is always the
project the link belongs to, `task_id` None for a link of the project itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from labs_integrations.domain.links import LinkTarget


@dataclass(frozen=True)
class CreateLink:
    project_id: uuid.UUID
    task_id: uuid.UUID | None
    target: LinkTarget


@dataclass(frozen=True)
class ListLinks:
    project_id: uuid.UUID
    task_id: uuid.UUID | None
    after: tuple[datetime, uuid.UUID] | None
    limit: int


@dataclass(frozen=True)
class DeleteLink:
    link_id: uuid.UUID
