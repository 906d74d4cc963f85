"""One frozen dataclass per use case of connections and syncs (the other slices keep theirs
beside their domain)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from labs_integrations.domain.connections import Account, Platform


@dataclass(frozen=True)
class ListConnections:
    pass


@dataclass(frozen=True)
class StartAuthorization:
    platform: Platform
    redirect_url: str


@dataclass(frozen=True)
class SpendState:
    platform: Platform
    state: str


@dataclass(frozen=True)
class Connect:
    """Store credentials the platform has just vouched for (`account`)."""

    platform: Platform
    account: Account
    secret: dict[str, Any]


@dataclass(frozen=True)
class UpdateSettings:
    connection_id: uuid.UUID
    settings: dict[str, Any]
    size: int


@dataclass(frozen=True)
class DeleteConnection:
    connection_id: uuid.UUID


@dataclass(frozen=True)
class StartSync:
    connection_id: uuid.UUID


@dataclass(frozen=True)
class GetSyncStatus:
    connection_id: uuid.UUID


@dataclass(frozen=True)
class ListSyncLogs:
    connection_id: uuid.UUID
    after: tuple[datetime, uuid.UUID] | None
    limit: int


@dataclass(frozen=True)
class StartImport:
    """Import a Jira JQL query's issues or an Asana project's tasks into a project's tasks."""

    connection_id: uuid.UUID
    project_id: uuid.UUID
    source: str
